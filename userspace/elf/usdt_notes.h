/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef FPBPF_USDT_NOTES_H
#define FPBPF_USDT_NOTES_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

struct usdt_note {
	char provider[64];
	char name[64];
	char args[256];
	uint64_t addr;		/* probe address, adjusted for prelink like libbpf does */
	uint64_t sema;		/* semaphore address, 0 when none */
};

struct usdt_file {
	char path[4096];
	const char *arch;	/* from e_machine, as usdt_argspec.h names them; NULL if unknown */
	int ptr_size;		/* 8 or 4: a pointer argument's size in this file */
	int n;
	struct usdt_note *notes;
};

/* Reads every .note.stapsdt entry of a regular ELF file (anything else is refused
 * without blocking on it). A file with no notes is not an error (n = 0). */
int usdt_file_read(const char *path, struct usdt_file *out, char *err, size_t errlen);
void usdt_file_free(struct usdt_file *f);
/* A "#!" script: it has no probes of its own; what it runs may. */
bool usdt_file_is_script(const char *path);

/* A probe made by fpbpf.h: provider fpbpf, a pointer (the verdict slot) first, and a
 * constant third: the marker's kind and the ABI version of the header that made it. */
struct marker {
	bool value_point;	/* FPBPF_FAIL rather than FPBPF_POINT */
	int abi;		/* fpbpf.h's FPBPF_ABI_VERSION when it was built */
};
bool usdt_note_marker(const struct usdt_file *f, const struct usdt_note *n, struct marker *m);
/* Context arguments a rule can match as arg1..: after a marker's own three. */
int usdt_note_ctx_args(const struct usdt_file *f, const struct usdt_note *n);

#endif

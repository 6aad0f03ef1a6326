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
	int n;
	struct usdt_note *notes;
};

/* Reads every .note.stapsdt entry. A file with no notes is not an error (n = 0). */
int usdt_file_read(const char *path, struct usdt_file *out, char *err, size_t errlen);
void usdt_file_free(struct usdt_file *f);

/* A probe made by fpbpf.h: provider fpbpf, verdict slot first, kind constant third. */
bool usdt_note_is_marker(const struct usdt_note *n, bool *value_point);
/* Context arguments a rule can match as arg1..: after the marker's own three. */
int usdt_note_ctx_args(const struct usdt_note *n);

#endif

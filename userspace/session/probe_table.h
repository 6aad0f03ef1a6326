/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The probes a session's rules resolved to: USDT probes in the files it searched, and
 * the attach points of syscall backends. An id here is the probe's id in BPF (its
 * cookie). Owns which rules each probe holds; the engine only mirrors it. */
#ifndef FPBPF_PROBE_TABLE_H
#define FPBPF_PROBE_TABLE_H

#include <stdbool.h>
#include <sys/types.h>
#include <linux/types.h>
#include "fp_abi.h"

struct rule;
struct injector;
struct sys_backend;
struct usdt_file;
struct elf_syms;

struct probe_info {
	char provider[64];
	char name[64];
	enum fp_probe_kind kind;
	bool has_slot;			/* made by fpbpf.h: a verdict slot */
	bool value_point;		/* FPBPF_FAIL */
	const struct sys_backend *backend;	/* kernel probes */
};

struct probe_table;

struct probe_table *probe_table__new(void);
void probe_table__free(struct probe_table *pt);

/* A file whose probes rules may name; returns its index, or -errno after logging why. */
int probe_table__add_file(struct probe_table *pt, const char *path);
/* A library: skipped quietly when it has no probes (most have none). */
void probe_table__add_library(const char *path, void *pt);
/* A process's binary and its executable file mappings. */
int probe_table__add_process_files(struct probe_table *pt, pid_t pid);
int probe_table__nfiles(const struct probe_table *pt);
/* Every file searched, with probes or without (the command, its libraries, a process's
 * mappings): where caller= looks for the functions it names. */
int probe_table__ncode_files(const struct probe_table *pt);
const char *probe_table__code_file(const struct probe_table *pt, int i);
/* Its function symbols, read once (NULL: not an ELF file that can be read). */
const struct elf_syms *probe_table__code_syms(struct probe_table *pt, int i);
/* Copies file f of src (already read) into dst, for resolving against a scratch table. */
int probe_table__copy_file(struct probe_table *dst, const struct probe_table *src, int f);

/* Adds rule rid to every probe it names, creating them (unattached); all or nothing.
 * backend: the syscall backend picked for a kernel rule. Returns 0, -EINVAL (the rule
 * does not fit: logged with its position) or -E2BIG (a limit: logged). */
int probe_table__resolve(struct probe_table *pt, const struct rule *r, int rid,
			 const struct sys_backend *backend);
/* Drops rid from every probe; probes with no rule left detach at the next sync. */
void probe_table__unresolve(struct probe_table *pt, int rid);
/* Pushes changed probes to the engine, attaches new ones, detaches idle kernel probes. */
int probe_table__sync(struct probe_table *pt, struct injector *inj);

int probe_table__count(const struct probe_table *pt);
const struct probe_info *probe_table__info(const struct probe_table *pt, __u32 id);

#endif

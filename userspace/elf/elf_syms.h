/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* A file's functions by file offset, from its ELF symbols (.symtab, else .dynsym): what
 * caller= matches a stack's return addresses against. File offsets, not addresses, so one
 * table serves every process that maps the file, wherever it is mapped. */
#ifndef FPBPF_ELF_SYMS_H
#define FPBPF_ELF_SYMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct elf_syms;

struct sym_range {
	uint64_t lo, hi;	/* file offsets, [lo, hi) */
};

/* NULL with err set when the file is not an ELF file that can be read. A file with no
 * function symbols is not an error (it matches nothing). */
struct elf_syms *elf_syms__load(const char *path, char *err, size_t errlen);
void elf_syms__free(struct elf_syms *s);
int elf_syms__count(const struct elf_syms *s);
/* The function whose code holds file offset off, or NULL. */
const char *elf_syms__at(const struct elf_syms *s, uint64_t off);
/* Whether any function holding off (aliases too) has a name matching glob: what the
 * ranges of elf_syms__match answer for BPF. */
bool elf_syms__covers(const struct elf_syms *s, uint64_t off, const char *glob);
/* The ranges of the functions whose names match glob (fnmatch), merged where adjacent;
 * how many there are, even past max (only max are stored). */
int elf_syms__match(const struct elf_syms *s, const char *glob, struct sym_range *out, int max);
/* The address in the file's own terms (what debug info and addr2line speak) of file
 * offset off; 0, or -1 when no executable segment holds it. */
int elf_syms__address(const struct elf_syms *s, uint64_t off, uint64_t *vaddr);
/* The name closest to want (for "did you mean"), or NULL. */
const char *elf_syms__closest(const struct elf_syms *s, const char *want);

#endif

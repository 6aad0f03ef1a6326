// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "elf/elf_syms.h"
#include "rules/names.h"

struct sym {
	uint64_t lo, hi;	/* file offsets */
	char *name;
};

struct load {
	uint64_t vaddr, off, size;
};

struct elf_syms {
	struct sym *v;
	int n, cap;
	struct load loads[8];	/* executable PT_LOADs: file offset back to address */
	int nloads;
};

/* A symbol's address to its file offset, through the PT_LOAD segment holding it. */
static int vaddr_to_off(Elf *elf, size_t nphdr, uint64_t vaddr, uint64_t *off)
{
	for (size_t i = 0; i < nphdr; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD || !(ph.p_flags & PF_X))
			continue;
		if (vaddr >= ph.p_vaddr && vaddr < ph.p_vaddr + ph.p_filesz) {
			*off = vaddr - ph.p_vaddr + ph.p_offset;
			return 0;
		}
	}
	return -1;
}

static int push(struct elf_syms *s, uint64_t lo, uint64_t hi, const char *name)
{
	if (s->n == s->cap) {
		int cap = s->cap ? s->cap * 2 : 256;
		struct sym *v = realloc(s->v, (size_t)cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n].name = strdup(name);
	if (!s->v[s->n].name)
		return -ENOMEM;
	s->v[s->n].lo = lo;
	s->v[s->n++].hi = hi;
	return 0;
}

static int read_table(struct elf_syms *s, Elf *elf, Elf_Scn *scn, size_t nphdr)
{
	GElf_Shdr sh;
	Elf_Data *data;

	if (!gelf_getshdr(scn, &sh) || !sh.sh_entsize || !(data = elf_getdata(scn, NULL)))
		return 0;
	for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
		GElf_Sym sym;
		const char *name;
		uint64_t off;

		if (!gelf_getsym(data, (int)i, &sym) || sym.st_shndx == SHN_UNDEF || !sym.st_size)
			continue;
		if (GELF_ST_TYPE(sym.st_info) != STT_FUNC && GELF_ST_TYPE(sym.st_info) != STT_GNU_IFUNC)
			continue;
		name = elf_strptr(elf, sh.sh_link, sym.st_name);
		if (!name || !*name || vaddr_to_off(elf, nphdr, sym.st_value, &off))
			continue;
		if (push(s, off, off + sym.st_size, name))
			return -ENOMEM;
	}
	return 0;
}

static int by_lo(const void *a, const void *b)
{
	const struct sym *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* .symtab has every function (static ones too); a stripped file keeps only .dynsym. */
static int read_symbols(struct elf_syms *s, Elf *elf)
{
	Elf_Scn *scn = NULL, *symtab = NULL, *dynsym = NULL;
	size_t nphdr;

	if (elf_getphdrnum(elf, &nphdr))
		return -EINVAL;
	for (size_t i = 0; i < nphdr && s->nloads < 8; i++) {
		GElf_Phdr ph;

		if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_LOAD && (ph.p_flags & PF_X))
			s->loads[s->nloads++] = (struct load){ ph.p_vaddr, ph.p_offset, ph.p_filesz };
	}
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh))
			continue;
		if (sh.sh_type == SHT_SYMTAB)
			symtab = scn;
		else if (sh.sh_type == SHT_DYNSYM)
			dynsym = scn;
	}
	if (read_table(s, elf, symtab ? symtab : dynsym, nphdr))
		return -ENOMEM;
	if (symtab && dynsym && read_table(s, elf, dynsym, nphdr))
		return -ENOMEM;
	if (s->n)
		qsort(s->v, (size_t)s->n, sizeof(*s->v), by_lo);
	return 0;
}

struct elf_syms *elf_syms__load(const char *path, char *err, size_t errlen)
{
	struct elf_syms *s = calloc(1, sizeof(*s));
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK), ret = -ENOMEM;
	Elf *elf = NULL;

	if (fd < 0 || !s) {
		snprintf(err, errlen, "%s: %s", path, strerror(fd < 0 ? errno : ENOMEM));
		goto fail;
	}
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF) {
		snprintf(err, errlen, "%s: not an ELF file", path);
		goto fail;
	}
	ret = read_symbols(s, elf);
	if (ret) {
		snprintf(err, errlen, "%s: cannot read its symbols: %s", path, strerror(-ret));
		goto fail;
	}
	elf_end(elf);
	close(fd);
	return s;
fail:
	if (elf)
		elf_end(elf);
	if (fd >= 0)
		close(fd);
	elf_syms__free(s);
	return NULL;
}

void elf_syms__free(struct elf_syms *s)
{
	if (!s)
		return;
	for (int i = 0; i < s->n; i++)
		free(s->v[i].name);
	free(s->v);
	free(s);
}

int elf_syms__count(const struct elf_syms *s)
{
	return s->n;
}

/* The innermost function holding off: the last one starting at or before it whose end is
 * past it (aliases share a start; any of them names the code). */
const char *elf_syms__at(const struct elf_syms *s, uint64_t off)
{
	int lo = 0, hi = s->n - 1, best = -1;

	while (lo <= hi) {
		int mid = lo + (hi - lo) / 2;

		if (s->v[mid].lo <= off) {
			best = mid;
			lo = mid + 1;
		} else {
			hi = mid - 1;
		}
	}
	for (int i = best; i >= 0 && i > best - 8; i--)
		if (off >= s->v[i].lo && off < s->v[i].hi)
			return s->v[i].name;
	return NULL;
}

bool elf_syms__covers(const struct elf_syms *s, uint64_t off, const char *glob)
{
	for (int i = 0; i < s->n && s->v[i].lo <= off; i++)
		if (off < s->v[i].hi && !fnmatch(glob, s->v[i].name, 0))
			return true;
	return false;
}

int elf_syms__match(const struct elf_syms *s, const char *glob, struct sym_range *out, int max)
{
	int n = 0;

	for (int i = 0; i < s->n; i++) {
		if (fnmatch(glob, s->v[i].name, 0))
			continue;
		/* Aliases and neighbours: one range covers them. */
		if (n && n <= max && s->v[i].lo <= out[n - 1].hi) {
			if (s->v[i].hi > out[n - 1].hi)
				out[n - 1].hi = s->v[i].hi;
			continue;
		}
		if (n < max)
			out[n] = (struct sym_range){ s->v[i].lo, s->v[i].hi };
		n++;
	}
	return n;
}

const char *elf_syms__closest(const struct elf_syms *s, const char *want)
{
	const char *best = NULL;
	size_t best_d = 3;

	for (int i = 0; i < s->n; i++) {
		size_t d = edit_distance(want, s->v[i].name);

		if (d < best_d) {
			best_d = d;
			best = s->v[i].name;
		}
	}
	return best;
}

int elf_syms__address(const struct elf_syms *s, uint64_t off, uint64_t *vaddr)
{
	for (int i = 0; i < s->nloads; i++)
		if (off >= s->loads[i].off && off < s->loads[i].off + s->loads[i].size) {
			*vaddr = off - s->loads[i].off + s->loads[i].vaddr;
			return 0;
		}
	return -1;
}

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "elf/usdt_argspec.h"
#include "elf/usdt_notes.h"
#include "fp_abi.h"

#define NT_STAPSDT 3

static int copy_str(char *dst, size_t cap, const char **p, const char *end)
{
	size_t n = strnlen(*p, (size_t)(end - *p));

	if (*p + n >= end || n >= cap)
		return -1;
	memcpy(dst, *p, n + 1);
	*p += n + 1;
	return 0;
}

static int read_notes(Elf *elf, struct usdt_file *out, char *err, size_t errlen)
{
	Elf_Scn *scn = NULL, *base_scn = NULL, *notes_scn = NULL;
	GElf_Shdr shdr, base_shdr;
	size_t shstrndx;
	int is64 = gelf_getclass(elf) == ELFCLASS64;

	if (elf_getshdrstrndx(elf, &shstrndx)) {
		snprintf(err, errlen, "%s: no section names: %s", out->path, elf_errmsg(-1));
		return -1;
	}
	while ((scn = elf_nextscn(elf, scn))) {
		const char *name;

		if (!gelf_getshdr(scn, &shdr))
			continue;
		name = elf_strptr(elf, shstrndx, shdr.sh_name);
		if (!name)
			continue;
		if (!strcmp(name, ".stapsdt.base"))
			base_scn = scn;
		else if (!strcmp(name, ".note.stapsdt") && shdr.sh_type == SHT_NOTE)
			notes_scn = scn;
	}
	if (!notes_scn)
		return 0;
	if (base_scn && !gelf_getshdr(base_scn, &base_shdr))
		base_scn = NULL;

	Elf_Data *data = elf_getdata(notes_scn, NULL);
	size_t off = 0, name_off, desc_off;
	GElf_Nhdr nhdr;

	while (data && (off = gelf_getnote(data, off, &nhdr, &name_off, &desc_off)) > 0) {
		const char *desc = (const char *)data->d_buf + desc_off;
		const char *end = desc + nhdr.n_descsz, *p;
		size_t asz = is64 ? 8 : 4;
		uint64_t loc = 0, base = 0, sema = 0;
		struct usdt_note *n, *grown;

		if (nhdr.n_type != NT_STAPSDT || nhdr.n_namesz != 8 ||
		    memcmp((const char *)data->d_buf + name_off, "stapsdt", 8) || nhdr.n_descsz < 3 * asz)
			continue;
		memcpy(&loc, desc, asz);
		memcpy(&base, desc + asz, asz);
		memcpy(&sema, desc + 2 * asz, asz);
		grown = realloc(out->notes, (size_t)(out->n + 1) * sizeof(*out->notes));
		if (!grown) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		out->notes = grown;
		n = &out->notes[out->n];
		memset(n, 0, sizeof(*n));
		p = desc + 3 * asz;
		if (copy_str(n->provider, sizeof(n->provider), &p, end) ||
		    copy_str(n->name, sizeof(n->name), &p, end))
			continue;
		if (p < end)
			copy_str(n->args, sizeof(n->args), &p, end);
		/* Prelinked files moved .stapsdt.base; shift by the same amount. */
		if (base_scn && base) {
			loc += base_shdr.sh_addr - base;
			if (sema)
				sema += base_shdr.sh_addr - base;
		}
		n->addr = loc;
		n->sema = sema;
		out->n++;
	}
	return 0;
}

static const char *arch_of(Elf *elf)
{
	GElf_Ehdr eh;

	if (!gelf_getehdr(elf, &eh))
		return NULL;
	switch (eh.e_machine) {
	case EM_X86_64:
		return "x86_64";
	case EM_AARCH64:
		return "aarch64";
	case EM_RISCV:
		return "riscv64";
	case EM_S390:
		return "s390x";
	case EM_ARM:
		return "arm";
	default:
		return NULL;
	}
}

/* O_NONBLOCK and a check before reading: a FIFO or a device must never hang fpbpf. */
static int open_regular(const char *path, char *err, size_t errlen)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file, expected an ELF binary or library", path);
		close(fd);
		return -1;
	}
	return fd;
}

int usdt_file_read(const char *path, struct usdt_file *out, char *err, size_t errlen)
{
	Elf *elf;
	int fd, ret;

	memset(out, 0, sizeof(*out));
	snprintf(out->path, sizeof(out->path), "%s", path);
	if (elf_version(EV_CURRENT) == EV_NONE) {
		snprintf(err, errlen, "libelf: %s", elf_errmsg(-1));
		return -1;
	}
	fd = open_regular(path, err, errlen);
	if (fd < 0)
		return -1;
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF) {
		snprintf(err, errlen, "%s: not an ELF file", path);
		if (elf)
			elf_end(elf);
		close(fd);
		return -1;
	}
	out->arch = arch_of(elf);
	out->ptr_size = gelf_getclass(elf) == ELFCLASS64 ? 8 : 4;
	ret = read_notes(elf, out, err, errlen);
	elf_end(elf);
	close(fd);
	if (ret)
		usdt_file_free(out);
	return ret;
}

void usdt_file_free(struct usdt_file *f)
{
	free(f->notes);
	f->notes = NULL;
	f->n = 0;
}

bool usdt_note_marker(const struct usdt_file *f, const struct usdt_note *n, struct marker *m)
{
	struct usdt_arg slot, kind;
	int low;

	if (strcmp(n->provider, "fpbpf") || !f->arch ||
	    usdt_arg_parse(n->args, 0, f->arch, &slot) || usdt_arg_parse(n->args, 2, f->arch, &kind))
		return false;
	if (slot.kind == USDT_ARG_CONST || slot.size != f->ptr_size || kind.kind != USDT_ARG_CONST)
		return false;
	/* ABI 1 headers wrote the bare kind; later ones add the version above it. */
	low = (int)(kind.val & 0xff);
	if (low != FP_MARKER_POINT && low != FP_MARKER_VALUE)
		return false;
	m->value_point = low == FP_MARKER_VALUE;
	m->abi = kind.val >> 8 ? (int)(kind.val >> 8) : 1;
	return true;
}

int usdt_note_ctx_args(const struct usdt_file *f, const struct usdt_note *n)
{
	struct marker m;
	int count = usdt_arg_count(n->args);

	return usdt_note_marker(f, n, &m) ? count - 3 : count;
}

bool usdt_file_is_script(const char *path)
{
	char head[2] = { 0, 0 };
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	bool script;

	if (fd < 0)
		return false;
	script = read(fd, head, sizeof(head)) == 2 && head[0] == '#' && head[1] == '!';
	close(fd);
	return script;
}

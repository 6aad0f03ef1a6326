// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include "elf/elf_syms.h"
#include "engine/user_stack.h"
#include "util/procmem.h"

#define MAX_MAPS 512
#define STACK_WORDS 2048	/* 16 KiB above the stack pointer */
#define LEAF_WORDS 16		/* where a wrapper leaves its return address */
#define WRAPPER_MAX 4096	/* a syscall wrapper's code, from its start to its syscall */

struct map {
	uint64_t start, end, pgoff, dev, ino;
	char path[256];
};

struct file_syms {
	uint64_t dev, ino;
	struct elf_syms *syms;	/* NULL: not readable (matches nothing) */
};

struct ustack_syms {
	struct file_syms *files;
	int nfiles;
	struct map maps[MAX_MAPS];
	int nmaps;
};

struct ustack_syms *ustack_syms__new(void)
{
	return calloc(1, sizeof(struct ustack_syms));
}

void ustack_syms__free(struct ustack_syms *c)
{
	if (!c)
		return;
	for (int i = 0; i < c->nfiles; i++)
		elf_syms__free(c->files[i].syms);
	free(c->files);
	free(c);
}

/* Executable file mappings only: a return address is in code. */
static int read_maps(struct ustack_syms *c, pid_t tid)
{
	char path[64], line[512];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", tid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	c->nmaps = 0;
	while (fgets(line, sizeof(line), f) && c->nmaps < MAX_MAPS) {
		struct map *m = &c->maps[c->nmaps];
		unsigned int maj, min;
		char perms[8];
		int pathpos = 0;

		if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %7s %" SCNx64 " %x:%x %" SCNu64 " %n", &m->start,
			   &m->end, perms, &m->pgoff, &maj, &min, &m->ino, &pathpos) < 7)
			continue;
		if (perms[2] != 'x' || !m->ino || line[pathpos] != '/')
			continue;
		line[strcspn(line, "\n")] = 0;
		snprintf(m->path, sizeof(m->path), "%s", line + pathpos);
		m->dev = ustack_kernel_dev(maj, min);
		c->nmaps++;
	}
	fclose(f);
	return 0;
}

static const struct map *map_of(const struct ustack_syms *c, uint64_t addr)
{
	for (int i = 0; i < c->nmaps; i++)
		if (addr >= c->maps[i].start && addr < c->maps[i].end)
			return &c->maps[i];
	return NULL;
}

/* Read through the thread's root: a process in a chroot or another mount namespace maps
 * files by paths of its own. */
static struct elf_syms *syms_of(struct ustack_syms *c, const struct map *m, pid_t tid)
{
	struct file_syms *grown;
	char err[256], path[sizeof(m->path) + 32];

	for (int i = 0; i < c->nfiles; i++)
		if (c->files[i].dev == m->dev && c->files[i].ino == m->ino)
			return c->files[i].syms;
	grown = realloc(c->files, (size_t)(c->nfiles + 1) * sizeof(*grown));
	if (!grown)
		return NULL;
	c->files = grown;
	snprintf(path, sizeof(path), "/proc/%d/root%s", tid, m->path);
	c->files[c->nfiles] = (struct file_syms){ m->dev, m->ino, elf_syms__load(path, err, sizeof(err)) };
	return c->files[c->nfiles++].syms;
}

bool ustack_call_precedes(const uint8_t *b)
{
	/* b[6] is the byte right before the return address. call rel32 (E8), then the
	 * forms of call r/m64 (FF /2) that end there: 2, 3, 4 (SIB+disp8), 6 and 7 bytes. */
	if (b[2] == 0xe8)
		return true;
	for (int len = 2; len <= 7; len++) {
		const uint8_t *op = &b[7 - len];

		if (op[0] == 0xff && (op[1] & 0x38) == 0x10)
			return true;
	}
	return false;
}

/* A PLT entry: an indirect jump through the GOT, maybe after endbr64 (and bnd). */
static bool is_plt_stub(pid_t tid, uint64_t target)
{
	uint8_t b[8];

	if (proc_read_memory(tid, target, b, sizeof(b)) != sizeof(b))
		return false;
	return (b[0] == 0xff && b[1] == 0x25) ||
	       (b[0] == 0xf3 && b[1] == 0x0f && b[2] == 0x1e && b[3] == 0xfa &&
		((b[4] == 0xff && b[5] == 0x25) || (b[4] == 0xf2 && b[5] == 0xff && b[6] == 0x25)));
}

/* The wrapper's caller, near the stack pointer, among stale return addresses a wrapper's
 * own frame may hold: its call went to the wrapper (at or before pc, close) or to a PLT
 * entry, or through the GOT (call *x(%rip), as -fno-plt builds call). */
static bool is_wrapper_call(struct ustack_syms *c, pid_t tid, uint64_t ret, uint64_t pc)
{
	uint8_t b[7];
	uint64_t target;

	if (ret < 7 || !map_of(c, ret) || proc_read_memory(tid, ret - 7, b, sizeof(b)) != sizeof(b))
		return false;
	if (b[1] == 0xff && b[2] == 0x15)
		return true;
	if (b[2] != 0xe8)
		return false;
	target = ret + (uint64_t)(int64_t)(int32_t)((uint32_t)b[3] | (uint32_t)b[4] << 8 | (uint32_t)b[5] << 16 |
						     (uint32_t)b[6] << 24);
	return (target <= pc && pc - target < WRAPPER_MAX) || is_plt_stub(tid, target);
}

static bool is_return(struct ustack_syms *c, pid_t tid, uint64_t addr)
{
	uint8_t before[7];

	if (addr < 7 || !map_of(c, addr))
		return false;
	return proc_read_memory(tid, addr - 7, before, sizeof(before)) == sizeof(before) &&
	       ustack_call_precedes(before);
}

/* /proc/TID/syscall: "NR ARG1 .. ARG6 SP PC" for a thread in a syscall. */
static int stack_pointer(pid_t tid, uint64_t *sp, uint64_t *pc)
{
	char path[64], line[512];
	unsigned long long v[9];
	long nr;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/syscall", tid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	if (!fgets(line, sizeof(line), f)) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	if (sscanf(line, "%ld %llx %llx %llx %llx %llx %llx %llx %llx", &nr, &v[0], &v[1], &v[2], &v[3], &v[4],
		   &v[5], &v[6], &v[7]) != 9)
		return -EIO;
	*sp = v[6];
	*pc = v[7];
	return 0;
}

/* As much as is mapped of len bytes from sp: one read per page, since a read that
 * crosses the stack's end fails whole (the stack's top is a random distance away). */
static ssize_t read_stack(pid_t tid, uint64_t sp, uint64_t *out, size_t len)
{
	size_t got = 0;

	while (got < len) {
		size_t chunk = 4096 - ((sp + got) & 4095);
		ssize_t n;

		if (chunk > len - got)
			chunk = len - got;
		n = proc_read_memory(tid, sp + got, (char *)out + got, chunk);
		if (n <= 0)
			break;
		got += (size_t)n;
		if ((size_t)n < chunk)
			break;
	}
	return (ssize_t)got;
}

/* A frame record (saved frame pointer, return address) at word j: the saved pointer is 0
 * or points higher up this stack, at another record or at its end. */
static bool record_at(struct ustack_syms *c, pid_t tid, const uint64_t *w, int n, uint64_t sp, int j)
{
	uint64_t slot = sp + 8 * (uint64_t)j, next = w[j];
	int k;

	if (j + 1 >= n || !is_return(c, tid, w[j + 1]))
		return false;
	if (!next)
		return true;
	if (next <= slot || next & 7)
		return false;
	if (next >= sp + 8 * (uint64_t)n)
		return true;
	k = (int)((next - sp) / 8);
	return !w[k] || (k + 1 < n && is_return(c, tid, w[k + 1]));
}

static void add_frame(struct ustack_syms *c, pid_t tid, uint64_t addr, struct ustack_frame *out, int *n)
{
	const struct map *m = map_of(c, addr);
	struct ustack_frame *f = &out[(*n)++];
	struct elf_syms *s;

	memset(f, 0, sizeof(*f));
	f->addr = addr;
	if (!m)
		return;
	f->dev = m->dev;
	f->ino = m->ino;
	f->off = addr - m->start + m->pgoff;
	s = syms_of(c, m, tid);
	f->syms = s;
	/* The return address is past the call: its byte before is the caller's. */
	f->func = s ? elf_syms__at(s, f->off - 1) : NULL;
}

bool ustack_frame_matches(const struct ustack_frame *f, const char *glob)
{
	return f->syms && f->off && elf_syms__covers(f->syms, f->off - 1, glob);
}

int ustack__walk(struct ustack_syms *c, pid_t tid, struct ustack_frame *out, int max)
{
	static uint64_t w[STACK_WORDS];
	uint64_t sp, pc;
	ssize_t got;
	int n = 0, nw, first = -1, rec = -1, err = stack_pointer(tid, &sp, &pc);

	if (!err)
		err = read_maps(c, tid);
	if (err)
		return err;
	got = read_stack(tid, sp, w, sizeof(w));
	if (got < 8)
		return -EFAULT;
	nw = (int)(got / 8);
	for (int i = 0; i < LEAF_WORDS && i < nw && first < 0; i++)
		if (is_wrapper_call(c, tid, w[i], pc))
			first = i;
	if (first >= 0 && n < max)
		add_frame(c, tid, w[first], out, &n);
	for (int j = first + 1; j < nw - 1 && rec < 0; j++)
		if (record_at(c, tid, w, nw, sp, j))
			rec = j;
	while (rec >= 0 && rec + 1 < nw && n < max) {
		uint64_t next = w[rec];

		if (n && !is_return(c, tid, w[rec + 1]))
			break;
		add_frame(c, tid, w[rec + 1], out, &n);
		if (!next || next <= sp + 8 * (uint64_t)rec || next >= sp + 8 * (uint64_t)nw)
			break;
		rec = (int)((next - sp) / 8);
	}
	return n;
}

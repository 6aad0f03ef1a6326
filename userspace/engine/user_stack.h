/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The functions on the user stack of a thread that waits in a syscall, seen from another
 * process (the seccomp supervisor): caller= filters and explore's sites by caller. The
 * BPF backends walk the same way in the kernel (bpf/caller.bpf.h: fp_walk_stack). */
#ifndef FPBPF_USER_STACK_H
#define FPBPF_USER_STACK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct elf_syms;
#include <sys/types.h>

#define USTACK_MAX_FRAMES 16

struct ustack_frame {
	uint64_t addr;		/* a return address */
	uint64_t dev, ino;	/* the file it is in (dev as the kernel encodes it) */
	uint64_t off;		/* its offset in that file */
	const char *func;	/* NULL when no symbol covers it */
	const struct elf_syms *syms;	/* its file's, NULL when unreadable */
};

/* Symbol tables of the files seen, kept for the supervisor's life. */
struct ustack_syms;
struct ustack_syms *ustack_syms__new(void);
void ustack_syms__free(struct ustack_syms *c);

/* Frames of tid (or -errno: its stack or maps could not be read), innermost first: the return address into the caller of the syscall's
 * wrapper, then the frame-pointer chain above it (found without the registers, which
 * another process cannot read: the first frame record above that return address). */
int ustack__walk(struct ustack_syms *c, pid_t tid, struct ustack_frame *out, int max);

/* Whether a function holding the frame's call site has a name matching glob. */
bool ustack_frame_matches(const struct ustack_frame *f, const char *glob);

/* The kernel's encoding of a device number (MKDEV), as BPF reads it from a superblock. */
static inline uint64_t ustack_kernel_dev(unsigned int maj, unsigned int min)
{
	return ((uint64_t)maj << 20) | min;
}

/* Whether a call-site return address: a call instruction ends right before it (x86-64). */
bool ustack_call_precedes(const uint8_t *before7);

#endif

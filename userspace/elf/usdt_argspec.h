/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef FPBPF_USDT_ARGSPEC_H
#define FPBPF_USDT_ARGSPEC_H

#include <stdbool.h>

/*
 * One operand of a SystemTap SDT note's argument string, "SIZE@LOCATION", where
 * LOCATION is the compiler's assembly syntax for the target:
 *
 *   x86_64   -4@$2  8@%rdi  -4@-20(%rbp)  8@(%rax)
 *   aarch64  4@5    8@x0    -4@[sp, 12]   8@[x19]
 *   riscv64  4@5    8@a0    -4@8(sp)
 *   s390x    4@5    8@%r2   -4@160(%r15)
 *   arm      4@#5   4@r0    4@[fp, #-8]   ('#' optional)
 *
 * Only the syntax and the register names are checked; what a register holds at the
 * probe is for whoever reads it (libbpf's bpf_usdt_arg() for fpbpf).
 */
enum usdt_arg_kind {
	USDT_ARG_CONST,
	USDT_ARG_REG,
	USDT_ARG_REG_DEREF,
};

struct usdt_arg {
	enum usdt_arg_kind kind;
	int size;		/* bytes: 1, 2, 4 or 8 */
	bool is_signed;		/* negative size in the spec */
	long long val;		/* CONST: the value; REG_DEREF: the offset */
	char reg[16];		/* REG, REG_DEREF: name as written, without '%' ("rdi", "x0", "sp") */
};

/*
 * Parses the idx-th (0-based) spec of args. Specs are separated by blanks, except inside
 * [] or (): aarch64 writes "-4@[sp, 12]".
 *
 * arch is "x86_64", "aarch64" (or "arm64"), "riscv64", "s390x" or "arm" (or uname's
 * "armv7l"...); NULL means the machine this was built for.
 *
 * Returns 0 and fills *out; -ENOENT when args has at most idx specs; -EINVAL when the
 * spec is malformed, has a size other than 1, 2, 4, 8 or names an unknown register, for
 * x86 "sym(%rip)" (libbpf cannot read it either) and "off(%base,%index,scale)" (newer
 * libbpf can, but struct usdt_arg has no room for it), and for a negative idx;
 * -EOPNOTSUPP for an unknown arch. *out is zeroed on any error.
 */
int usdt_arg_parse(const char *args, int idx, const char *arch, struct usdt_arg *out);

/* Number of specs in args (0 for NULL, empty or blank). */
int usdt_arg_count(const char *args);

/* Whether the arg is the integer constant v (any size/sign); false for a failed parse's. */
bool usdt_arg_is_const(const struct usdt_arg *a, long long v);

#endif /* FPBPF_USDT_ARGSPEC_H */

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* SDT argument specs across architectures: every accepted form, the malformed ones,
 * splitting around aarch64's "[sp, 12]", and argument strings real compilers wrote. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "elf/usdt_argspec.h"

#define C USDT_ARG_CONST
#define R USDT_ARG_REG
#define D USDT_ARG_REG_DEREF

struct good {
	const char *arch, *spec;
	enum usdt_arg_kind kind;
	int size;
	bool is_signed;
	long long val;
	const char *reg;
};

static const struct good forms[] = {
	{ "x86_64", "-4@$2", C, 4, true, 2, "" },
	{ "x86_64", "8@$-1", C, 8, false, -1, "" },
	{ "x86_64", "1@$255", C, 1, false, 255, "" },
	{ "x86_64", "8@%rdi", R, 8, false, 0, "rdi" },
	{ "x86_64", "-4@%eax", R, 4, true, 0, "eax" },
	{ "x86_64", "-2@%r8w", R, 2, true, 0, "r8w" },
	{ "x86_64", "1@%r15b", R, 1, false, 0, "r15b" },
	{ "x86_64", "-4@%r10d", R, 4, true, 0, "r10d" },
	{ "x86_64", "-1@%sil", R, 1, true, 0, "sil" },
	{ "x86_64", "8@%rip", R, 8, false, 0, "rip" },
	{ "x86_64", "-4@-20(%rbp)", D, 4, true, -20, "rbp" },
	{ "x86_64", "8@(%rax)", D, 8, false, 0, "rax" },
	{ "x86_64", "8@8(%rsp)", D, 8, false, 8, "rsp" },
	{ "x86_64", "8@16(%rip)", D, 8, false, 16, "rip" },
	{ "aarch64", "4@5", C, 4, false, 5, "" },
	{ "aarch64", "-4@-5", C, 4, true, -5, "" },
	{ "aarch64", "8@#7", C, 8, false, 7, "" },
	{ "aarch64", "8@x0", R, 8, false, 0, "x0" },
	{ "aarch64", "8@x30", R, 8, false, 0, "x30" },
	{ "aarch64", "-4@w1", R, 4, true, 0, "w1" },
	{ "aarch64", "8@sp", R, 8, false, 0, "sp" },
	{ "aarch64", "-4@[sp, 12]", D, 4, true, 12, "sp" },
	{ "aarch64", "4@[sp,12]", D, 4, false, 12, "sp" },
	{ "aarch64", "8@[x19]", D, 8, false, 0, "x19" },
	{ "aarch64", "-8@[x1, -8]", D, 8, true, -8, "x1" },
	{ "aarch64", "-8@[x1, #-8]", D, 8, true, -8, "x1" },
	{ "aarch64", "8@[sp, 0x10]", D, 8, false, 16, "sp" },
	{ "riscv64", "8@a0", R, 8, false, 0, "a0" },
	{ "riscv64", "-8@s11", R, 8, true, 0, "s11" },
	{ "riscv64", "-4@8(sp)", D, 4, true, 8, "sp" },
	{ "riscv64", "-8@-88(s0)", D, 8, true, -88, "s0" },
	{ "riscv64", "4@5", C, 4, false, 5, "" },
	{ "s390x", "8@%r2", R, 8, false, 0, "r2" },
	{ "s390x", "4@5", C, 4, false, 5, "" },
	{ "s390x", "-4@160(%r15)", D, 4, true, 160, "r15" },
	{ "s390x", "-2@-28(%r15)", D, 2, true, -28, "r15" },
	{ "arm", "4@r0", R, 4, false, 0, "r0" },
	{ "arm", "1@lr", R, 1, false, 0, "lr" },
	{ "arm", "4@[fp, #-8]", D, 4, false, -8, "fp" },
	{ "arm", "4@[r7]", D, 4, false, 0, "r7" },
	{ "arm", "4@5", C, 4, false, 5, "" },
	{ "arm", "-4@#-5", C, 4, true, -5, "" },
	/* uname spellings */
	{ "arm64", "8@[x19]", D, 8, false, 0, "x19" },
	{ "armv7l", "4@[fp, #-8]", D, 4, false, -8, "fp" },
};

static void check_good(const struct good *g)
{
	struct usdt_arg a;
	int ret = usdt_arg_parse(g->spec, 0, g->arch, &a);

	if (ret)
		print_error("%s '%s': %d\n", g->arch, g->spec, ret);
	assert_int_equal(ret, 0);
	assert_int_equal(a.kind, g->kind);
	assert_int_equal(a.size, g->size);
	assert_int_equal(a.is_signed, g->is_signed);
	assert_true(a.val == g->val);
	assert_string_equal(a.reg, g->reg);
	assert_int_equal(usdt_arg_count(g->spec), 1);
}

static void test_forms(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++)
		check_good(&forms[i]);
}

static const struct {
	const char *arch, *spec;
} bad[] = {
	{ "x86_64", "@" }, { "x86_64", "4@" }, { "x86_64", "x@%rax" }, { "x86_64", "3@%rax" },
	{ "x86_64", "4@$" }, { "x86_64", "16@%rax" }, { "x86_64", "0@%rax" }, { "x86_64", "-@%rax" },
	{ "x86_64", "4%rax" }, { "x86_64", "4@rax" }, { "x86_64", "4@%" }, { "x86_64", "4@%foo" },
	{ "x86_64", "4@%r16" }, { "x86_64", "4@%r08" }, { "x86_64", "4@%raxx" },
	{ "x86_64", "4@5" }, { "x86_64", "4@$2x" }, { "x86_64", "4@$5(%rax)" },
	{ "x86_64", "8@foo(%rip)" }, { "x86_64", "8@foo+8(%rip)" }, { "x86_64", "8@-8(%rbp" },
	{ "x86_64", "8@-8(%rbp))" }, { "x86_64", "8@()" }, { "x86_64", "1@-96(%rbp,%rax,8)" },
	{ "x86_64", "8@[sp, 12]" }, { "x86_64", "4@$99999999999999999999" },
	{ "x86_64", "8@%abcdefghijklmnopqrstuvwxyz" }, { "x86_64", "8@%raxraxraxraxrax" },
	{ "x86_64", "8@$1234567890123456789012345678901234567890123456789012345678901234567" },
	{ "aarch64", "4@[sp, 12" }, { "aarch64", "4@[sp 12]" }, { "aarch64", "4@[sp, ]" },
	{ "aarch64", "4@[]" }, { "aarch64", "4@[sp, 12]]" }, { "aarch64", "4@$5" },
	{ "aarch64", "8@x31" }, { "aarch64", "8@%x0" }, { "aarch64", "8@8(sp)" },
	{ "aarch64", "4@#" }, { "aarch64", "3@x0" }, { "aarch64", "8@X0" },
	{ "riscv64", "8@a8" }, { "riscv64", "8@x0" }, { "riscv64", "-4@8(sp" },
	{ "riscv64", "-4@8(%sp)" }, { "riscv64", "4@[sp, 8]" },
	{ "s390x", "8@%r16" }, { "s390x", "8@r2" }, { "s390x", "-4@160(r15)" },
	{ "s390x", "4@$5" },
	{ "arm", "4@r16" }, { "arm", "4@[fp, #-8" }, { "arm", "4@[fp, #]" }, { "arm", "4@$5" },
};

static void test_malformed(void **state)
{
	struct usdt_arg a;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int ret = usdt_arg_parse(bad[i].spec, 0, bad[i].arch, &a);

		if (ret != -EINVAL)
			print_error("%s '%s': %d\n", bad[i].arch, bad[i].spec, ret);
		assert_int_equal(ret, -EINVAL);
		/* a failed parse leaves nothing behind that looks like a marker */
		assert_false(usdt_arg_is_const(&a, 0));
		assert_int_equal(a.size, 0);
	}
}

static void test_index(void **state)
{
	struct usdt_arg a;

	(void)state;
	assert_int_equal(usdt_arg_parse("8@%rdi -4@$1", 1, "x86_64", &a), 0);
	assert_true(usdt_arg_is_const(&a, 1));
	assert_int_equal(usdt_arg_parse("8@%rdi -4@$1", 2, "x86_64", &a), -ENOENT);
	assert_int_equal(usdt_arg_parse("8@%rdi -4@$1", 100, "x86_64", &a), -ENOENT);
	assert_int_equal(usdt_arg_parse("", 0, "x86_64", &a), -ENOENT);
	assert_int_equal(usdt_arg_parse("   ", 0, "x86_64", &a), -ENOENT);
	assert_int_equal(usdt_arg_parse(NULL, 0, "x86_64", &a), -ENOENT);
	assert_int_equal(usdt_arg_parse("8@%rdi", -1, "x86_64", &a), -EINVAL);
	/* a malformed spec before idx does not hide the ones after it */
	assert_int_equal(usdt_arg_parse("bogus 4@5", 1, "aarch64", &a), 0);
	assert_int_equal(usdt_arg_parse("bogus 4@5", 0, "aarch64", &a), -EINVAL);
}

static void test_arch(void **state)
{
	struct usdt_arg a;

	(void)state;
	assert_int_equal(usdt_arg_parse("4@5", 0, "mips", &a), -EOPNOTSUPP);
	assert_int_equal(usdt_arg_parse("4@5", 0, "", &a), -EOPNOTSUPP);
	/* The same text means different things per arch: "4@5" is an address on x86. */
	assert_int_equal(usdt_arg_parse("4@5", 0, "x86_64", &a), -EINVAL);
	assert_int_equal(usdt_arg_parse("4@5", 0, "aarch64", &a), 0);
#if defined(__x86_64__)
	assert_int_equal(usdt_arg_parse("-4@-20(%rbp)", 0, NULL, &a), 0);
	assert_string_equal(a.reg, "rbp");
	assert_int_equal(usdt_arg_parse("-4@[sp, 12]", 0, NULL, &a), -EINVAL);
#elif defined(__aarch64__)
	assert_int_equal(usdt_arg_parse("-4@[sp, 12]", 0, NULL, &a), 0);
	assert_string_equal(a.reg, "sp");
#endif
}

static void test_splitting(void **state)
{
	struct usdt_arg a;
	const char *args = "  -4@[sp, 12]\t8@x0   -4@[ sp ,  96 ] 8@[x19] ";

	(void)state;
	assert_int_equal(usdt_arg_count(NULL), 0);
	assert_int_equal(usdt_arg_count(""), 0);
	assert_int_equal(usdt_arg_count(" \t "), 0);
	assert_int_equal(usdt_arg_count("8@%rdi"), 1);
	assert_int_equal(usdt_arg_count("8@%rdi  -4@$1 "), 2);
	assert_int_equal(usdt_arg_count(args), 4);
	assert_int_equal(usdt_arg_parse(args, 0, "aarch64", &a), 0);
	assert_true(a.kind == D && a.val == 12 && !strcmp(a.reg, "sp"));
	assert_int_equal(usdt_arg_parse(args, 1, "aarch64", &a), 0);
	assert_true(a.kind == R && !strcmp(a.reg, "x0"));
	assert_int_equal(usdt_arg_parse(args, 2, "aarch64", &a), 0);
	assert_true(a.kind == D && a.val == 96 && !strcmp(a.reg, "sp"));
	assert_int_equal(usdt_arg_parse(args, 3, "aarch64", &a), 0);
	assert_true(a.kind == D && a.val == 0 && !strcmp(a.reg, "x19"));
	assert_int_equal(usdt_arg_parse(args, 4, "aarch64", &a), -ENOENT);
	/* An unclosed bracket swallows the rest: one malformed spec, not two. */
	assert_int_equal(usdt_arg_count("4@[sp, 12 8@x0"), 1);
	assert_int_equal(usdt_arg_parse("4@[sp, 12 8@x0", 0, "aarch64", &a), -EINVAL);
	assert_int_equal(usdt_arg_parse("4@[sp, 12 8@x0", 1, "aarch64", &a), -ENOENT);
	/* A stray closer does not make the count go wrong either. */
	assert_int_equal(usdt_arg_count("4@sp] 8@x0"), 2);
}

/*
 * Note argument strings as compilers wrote them. The x86_64 gcc ones come from
 * `gcc -O2 -c` of a file with STAP_PROBE6(demo, six, &slot, n, name, 2, r->len, r->tag)
 * on this machine (Debian, systemtap-sdt-dev), read back with `readelf -n`; the
 * fpbpf ones from include/fpbpf.h. Others: the example in libbpf's src/usdt.c,
 * GCC's aarch64 output as quoted in the perf and libbpf arm64 USDT patch threads (the
 * second line joins three one-argument notes), and clang 14
 * `--target=...` builds of the same file (riscv64/s390x/arm also with constraint "nr").
 */
static const struct {
	const char *arch, *args;
	int count, const_idx;	/* const_idx: the arg that is the constant 2, or -1 */
} real[] = {
	{ "x86_64", "8@%rdx -4@%esi 8@%rdi -4@$2 -8@8(%rcx) -1@16(%rcx)", 6, 3 },
	{ "x86_64", "8@%rax -4@%esi -4@$-5 -4@(%rcx) -2@%r8w 1@%r9b", 6, -1 },
	{ "x86_64", "8@-8(%rsp) -4@-44(%rsp) 8@-16(%rsp) -4@$2 -8@-24(%rsp) -1@-55(%rsp)", 6, 3 },
	{ "x86_64", "-4@-1204(%rbp) -4@%edi -8@-1216(%rbp) -8@%r8 -4@$5 -8@%r9 8@%rdx "
		    "8@%r10 -4@$-9 -2@%cx -2@%ax -1@%sil", 12, -1 },
	{ "x86_64", "8@%rbp 8@%rax -4@$2 -4@%ebx", 4, 2 },
	{ "x86_64", "8@-192(%rbp) 8@-200(%rbp) -4@$1 -4@-204(%rbp) 8@-216(%rbp)", 5, -1 },
	{ "aarch64", "-4@[sp, 12] -4@[sp, 8] -4@[sp, 4]", 3, -1 },
	{ "aarch64", "-4@[sp] -4@[sp, 60] 8@[sp, 64]", 3, -1 },
	{ "aarch64", "8@[x14] -4@[x13] 8@[x12] -4@2 -8@[x11] 1@[x10]", 6, 3 },
	{ "aarch64", "8@x0 -4@x8 -4@-5 -4@x9 -2@x4 1@x5", 6, -1 },
	{ "riscv64", "8@t0 -4@a1 8@a2 -4@2 -8@a6 1@a7", 6, 3 },
	{ "s390x", "8@216(%r15) -4@180(%r15) 8@208(%r15) -4@2 -8@200(%r15) 1@168(%r15)", 6, 3 },
	{ "s390x", "8@%r2 -4@%r3 -4@-5 -4@%r1 -2@%r6 1@%r0", 6, -1 },
	{ "arm", "4@[r7] -4@[r6] 4@[r5] -4@#2 -4@[r4] 1@[r2]", 6, 3 },
	{ "arm", "4@r0 -4@r1 -4@#-5 -4@r2 -2@r12 1@lr", 6, -1 },
};

static void test_real_world(void **state)
{
	struct usdt_arg a;

	(void)state;
	for (size_t i = 0; i < sizeof(real) / sizeof(real[0]); i++) {
		assert_int_equal(usdt_arg_count(real[i].args), real[i].count);
		for (int k = 0; k < real[i].count; k++) {
			int ret = usdt_arg_parse(real[i].args, k, real[i].arch, &a);

			if (ret)
				print_error("%s '%s' #%d: %d\n", real[i].arch, real[i].args, k, ret);
			assert_int_equal(ret, 0);
			assert_int_equal(usdt_arg_is_const(&a, 2), k == real[i].const_idx);
		}
		assert_int_equal(usdt_arg_parse(real[i].args, real[i].count, real[i].arch, &a),
				 -ENOENT);
	}
}

/* How fpbpf tells its own probes: slot pointer first, kind constant third. */
static int marker_kind(const char *args, const char *arch)
{
	struct usdt_arg slot, kind;

	if (usdt_arg_parse(args, 0, arch, &slot) || slot.size != 8 || slot.kind == C ||
	    usdt_arg_parse(args, 2, arch, &kind))
		return 0;
	return usdt_arg_is_const(&kind, 1) ? 1 : usdt_arg_is_const(&kind, 2) ? 2 : 0;
}

static void test_markers(void **state)
{
	struct usdt_arg a = { .kind = C, .size = 4, .val = 1 };

	(void)state;
	assert_true(usdt_arg_is_const(&a, 1));
	assert_false(usdt_arg_is_const(&a, 2));
	assert_false(usdt_arg_is_const(NULL, 1));
	a.kind = D;
	assert_false(usdt_arg_is_const(&a, 1));
	/* sizes other than the x86 "-4" still count */
	assert_int_equal(usdt_arg_parse("8@$1", 0, "x86_64", &a), 0);
	assert_true(usdt_arg_is_const(&a, 1));

	assert_int_equal(marker_kind("8@%r12 8@%rax -4@$1 -4@%ebx 8@%rbp", "x86_64"), 1);
	assert_int_equal(marker_kind("8@72(%rsp) 8@64(%rsp) -4@$2 -4@8(%rsp)", "x86_64"), 2);
	assert_int_equal(marker_kind("8@x0 8@x1 -4@1 -4@x2", "aarch64"), 1);
	assert_int_equal(marker_kind("8@[x8] 8@[x9] -4@2", "aarch64"), 2);
	assert_int_equal(marker_kind("8@a0 8@a1 -4@2 -4@a2", "riscv64"), 2);
	assert_int_equal(marker_kind("8@%r2 8@%r3 -4@1", "s390x"), 1);
	assert_int_equal(marker_kind("8@%rdi 8@%rsi -4@$3", "x86_64"), 0);
	assert_int_equal(marker_kind("8@$0 8@%rsi -4@$1", "x86_64"), 0);
	assert_int_equal(marker_kind("-4@%edi 8@%rsi -4@$1", "x86_64"), 0);
	assert_int_equal(marker_kind("8@%rdi 8@%rsi", "x86_64"), 0);
	/* '$' is x86's immediate prefix; on aarch64 it makes no constant */
	assert_int_equal(marker_kind("8@x0 8@x1 -4@$1", "aarch64"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forms),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_index),
		cmocka_unit_test(test_arch),
		cmocka_unit_test(test_splitting),
		cmocka_unit_test(test_real_world),
		cmocka_unit_test(test_markers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

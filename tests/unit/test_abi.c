// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The pairs an application and fpbpf must agree on, checked by the compiler: the
 * verdict slot of include/fpbpf.h against bpf/fp_abi.h, the actions, flags and marker
 * kinds. A drift fails the build of this test. At run time: markers are recognised
 * from their argument specs on each architecture, with the ABI version they carry. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <linux/types.h>
#include "fpbpf.h"
#include "fp_abi.h"
#include "elf/usdt_argspec.h"
#include "elf/usdt_notes.h"

#define SAME_FIELD(f) \
	_Static_assert(offsetof(struct fpbpf_slot, f) == offsetof(struct fp_verdict, f) && \
		       sizeof(((struct fpbpf_slot *)0)->f) == sizeof(((struct fp_verdict *)0)->f), \
		       "fpbpf.h's slot field " #f " differs from fp_abi.h's verdict")
SAME_FIELD(value);
SAME_FIELD(action);
SAME_FIELD(arg);
SAME_FIELD(token);
SAME_FIELD(flags);
_Static_assert(offsetof(struct fpbpf_slot, waiting) == sizeof(struct fp_verdict),
	       "the header's private state must start right after the verdict BPF writes");
#define SAME_ACTION(a) \
	_Static_assert((int)FPBPF__##a == (int)FP_ACT_##a, "action " #a " differs between fpbpf.h and fp_abi.h")
SAME_ACTION(OFF);
SAME_ACTION(RETURN);
SAME_ACTION(SLEEP);
SAME_ACTION(PAUSE);
SAME_ACTION(YIELD);
SAME_ACTION(PRINT);
SAME_ACTION(PANIC);
SAME_ACTION(EXIT);
SAME_ACTION(SIGNAL);
_Static_assert(FPBPF__CONFIRM_EACH_POLL == FP_VF_CONFIRM_EACH_POLL, "verdict flags differ");
_Static_assert(FPBPF__BUSY == FP_VF_BUSY, "verdict flags differ");
_Static_assert(FPBPF_ABI_VERSION == FP_MARKER_ABI, "fpbpf.h and fpbpf speak different marker ABIs");
_Static_assert(FPBPF__KIND_POINT == (FP_MARKER_POINT | FP_MARKER_ABI << 8) &&
	       FPBPF__KIND_VALUE == (FP_MARKER_VALUE | FP_MARKER_ABI << 8), "marker kinds differ");

static bool marker(const char *arch, int ptr, const char *args, struct marker *m)
{
	struct usdt_file f = { .arch = arch, .ptr_size = ptr };
	struct usdt_note n = {};

	strcpy(n.provider, "fpbpf");
	strcpy(n.name, "x");
	snprintf(n.args, sizeof(n.args), "%s", args);
	return usdt_note_marker(&f, &n, m);
}

static void test_markers_on_each_arch(void **state)
{
	struct marker m = {};

	(void)state;
	assert_true(marker("x86_64", 8, "8@%rdi 8@-32(%rbp) -4@$514 -4@%eax 8@%rsi", &m));
	assert_true(m.value_point);
	assert_int_equal(m.abi, 2);
	assert_true(marker("x86_64", 8, "8@%rax 8@(%rsp) -4@$513", &m));
	assert_false(m.value_point);
	/* arm64 writes constants without '$', and offsets in brackets with a space. */
	assert_true(marker("aarch64", 8, "8@x0 8@[sp, 24] -4@514 -4@x2", &m));
	assert_true(m.value_point);
	assert_int_equal(m.abi, 2);
	assert_int_equal(usdt_arg_count("8@x0 8@[sp, 24] -4@514 -4@x2"), 4);
	/* Markers from the first header carry the bare kind: ABI 1. */
	assert_true(marker("x86_64", 8, "8@%rdi 8@%rsi -4@$2", &m));
	assert_int_equal(m.abi, 1);
	/* Not markers: a constant slot, a kind that is no constant, an unknown kind. */
	assert_false(marker("x86_64", 8, "8@$0 8@%rsi -4@$513", &m));
	assert_false(marker("x86_64", 8, "8@%rdi 8@%rsi -4@%eax", &m));
	assert_false(marker("x86_64", 8, "8@%rdi 8@%rsi -4@$515", &m));
	assert_false(marker("aarch64", 4, "8@x0 8@x1 -4@513", &m));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_markers_on_each_arch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* explore's parts that need no kernel: the planner (site order, fail-nth stopping,
 * depth-2 pruning), outcomes and the signatures findings are grouped by, and sites. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <cmocka.h>
#include "explore/explore_outcome.h"
#include "explore/explore_plan.h"
#include "explore/explore_sites.h"

#define EXITED(c) ((c) << 8)

static void plan_depth1_order_and_bounds(void **state)
{
	int nfaults[] = { 1, 2, 1 };
	uint64_t base[] = { 3, 0, 100 };
	struct xplan p;

	(void)state;
	assert_int_equal(xplan__init(&p, 3, nfaults, 64, base), 0);
	/* site 0: hits 1..3; site 1: never hit, no run; site 2: capped at --max-nth. */
	assert_int_equal(xplan__depth1(&p), 3 + 64);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(p.runs[i].step[0].site, 0);
		assert_int_equal(p.runs[i].step[0].nth, i + 1);
		assert_int_equal(p.runs[i].nsteps, 1);
		assert_int_equal(p.runs[i].parent, -1);
	}
	assert_int_equal(p.runs[3].step[0].site, 2);
	assert_int_equal(p.runs[3 + 63].step[0].nth, 64);
	xplan__fini(&p);
}

static void plan_fail_nth_stops_when_the_fault_no_longer_fires(void **state)
{
	int nfaults[] = { 2 };
	uint64_t base[] = { 4 };
	struct xplan p;

	(void)state;
	xplan__init(&p, 1, nfaults, 64, base);
	assert_int_equal(xplan__depth1(&p), 8);	/* fault 0: runs 0-3, fault 1: runs 4-7 */
	assert_true(xplan__wanted(&p, 1));
	xplan__record(&p, 0, true, true, base);
	xplan__record(&p, 1, false, false, base);	/* hit 2 no longer happens under this fault */
	assert_false(xplan__wanted(&p, 2));
	assert_false(xplan__wanted(&p, 3));
	assert_true(xplan__wanted(&p, 4));	/* the next fault's sequence starts over */
	xplan__fini(&p);
}

static void plan_depth2_only_where_counts_changed(void **state)
{
	int nfaults[] = { 1, 2, 1 };
	uint64_t base[] = { 2, 0, 5 };
	uint64_t changed[] = { 2, 3, 5 }, same[] = { 2, 0, 5 };
	struct xplan p;
	int n;

	(void)state;
	xplan__init(&p, 3, nfaults, 64, base);
	assert_int_equal(xplan__depth1(&p), 2 + 5);
	xplan__record(&p, 0, true, true, changed);	/* site 0 hit 1: site 1 reached 3 times */
	xplan__record(&p, 1, true, true, same);	/* site 0 hit 2: nothing changed */
	for (int i = 2; i < 7; i++)
		xplan__record(&p, i, i != 2, i != 2, changed);	/* run 2 did not fire: no children */
	xplan__truncated(&p, 6);	/* run 6 hung: its counts stop short, no children */
	n = xplan__depth2(&p);
	/* run 0: site 1 (2 faults x 3 hits); runs 3-5 (site 2) fired with site 0 unchanged and
	 * site 1 changed: 2 x 3 each. */
	assert_int_equal(n, 6 + 3 * 6);
	assert_int_equal(p.runs[7].parent, 0);
	assert_int_equal(p.runs[7].nsteps, 2);
	assert_int_equal(p.runs[7].step[0].site, 0);
	assert_int_equal(p.runs[7].step[0].nth, 1);
	assert_int_equal(p.runs[7].step[1].site, 1);
	assert_int_equal(p.runs[7].step[1].nth, 1);
	assert_int_equal(p.runs[9].step[1].nth, 3);
	assert_int_equal(p.runs[10].step[1].fault, 1);
	for (int i = 7; i < p.n; i++) {
		assert_int_not_equal(p.runs[i].parent, 2);
		assert_int_not_equal(p.runs[i].parent, 6);
	}
	xplan__fini(&p);
}

/* Depth 2: a second fault early enough ends the program before the first fault's hit; the
 * run is no finding (not every step fired), but its own step fired: the sequence goes on. */
static void plan_depth2_sequence_follows_its_own_step(void **state)
{
	int nfaults[] = { 1, 1 };
	uint64_t base[] = { 3, 0 }, changed[] = { 3, 4 };
	struct xplan p;

	(void)state;
	xplan__init(&p, 2, nfaults, 64, base);
	xplan__depth1(&p);
	xplan__record(&p, 2, true, true, changed);	/* site 0 hit 3: site 1 reached 4 times */
	assert_int_equal(xplan__depth2(&p), 4);		/* runs 3..6 */
	xplan__record(&p, 3, false, true, NULL);	/* site 1 hit 1 fired, site 0's hit 3 never came */
	assert_true(xplan__wanted(&p, 4));
	xplan__record(&p, 4, false, false, NULL);	/* hit 2 no longer happens */
	assert_false(xplan__wanted(&p, 5));
	xplan__fini(&p);
}

static void outcome_classify(void **state)
{
	const char *none = "";
	const char *ubsan = "x.c:3:1: runtime error: signed integer overflow\nSUMMARY: UndefinedBehaviorSanitizer: undefined-behavior x.c:3:1\n";

	(void)state;
	assert_int_equal(xo_classify(EXITED(0), EXITED(0), false, none, 0, -1), XO_OK);
	assert_int_equal(xo_classify(EXITED(0), EXITED(1), false, none, 0, -1), XO_ERROR_EXIT);
	assert_int_equal(xo_classify(EXITED(0), SIGSEGV, false, none, 0, -1), XO_CRASH);
	assert_int_equal(xo_classify(EXITED(0), SIGKILL, true, none, 0, -1), XO_HANG);
	assert_int_equal(xo_classify(EXITED(0), EXITED(0), false, none, 0, 1), XO_WRONG);
	assert_int_equal(xo_classify(EXITED(0), EXITED(0), false, none, 0, 0), XO_OK);
	/* A sanitizer's report is a crash whatever the status. */
	assert_int_equal(xo_classify(EXITED(0), EXITED(0), false, ubsan, strlen(ubsan), -1), XO_CRASH);
	/* A SIGTERM is not a crash: a handled shutdown has another status. */
	assert_int_equal(xo_classify(EXITED(0), SIGTERM, false, none, 0, -1), XO_ERROR_EXIT);
	/* Messages that mention such words are not reports (gcc, a program's own xmalloc). */
	{
		const char *gcc = "cc1: fatal error: x.c: No such file or directory\ncompilation terminated.\n";
		const char *own = "xmalloc(): out of memory\nfree(): nothing to free\n";
		const char *rust = "thread 'main' panicked at src/main.rs:2:5:\nboom\n";
		const char *go = "fatal error: all goroutines are asleep - deadlock!\n\ngoroutine 1 [chan receive]:\n";

		assert_int_equal(xo_classify(EXITED(0), EXITED(1), false, gcc, strlen(gcc), -1), XO_ERROR_EXIT);
		assert_int_equal(xo_classify(EXITED(0), EXITED(1), false, own, strlen(own), -1), XO_ERROR_EXIT);
		assert_int_equal(xo_classify(EXITED(0), EXITED(101), false, rust, strlen(rust), -1), XO_CRASH);
		assert_int_equal(xo_classify(EXITED(0), EXITED(2), false, go, strlen(go), -1), XO_CRASH);
	}
	/* A command that aborts without any fault: aborting is its normal end. */
	assert_int_equal(xo_classify(SIGABRT, SIGABRT, false, none, 0, -1), XO_OK);
	assert_int_equal(xo_classify(SIGABRT, SIGSEGV, false, none, 0, -1), XO_CRASH);
	assert_true(xo_is_alarm(XO_WRONG));
	assert_false(xo_is_alarm(XO_ERROR_EXIT));
}

static void outcome_signature_groups_one_bug(void **state)
{
	const char *a = "starting\njournal write 0 failed: -5\n";
	const char *b = "starting\njournal write 2 failed: -5\n";
	const char *lib = "/lib/x86_64-linux-gnu/libc.so.6: cannot read file data\n";
	const char *asan = "==123==ERROR: AddressSanitizer: heap-use-after-free on address 0x6020\n"
			   "    #0 0x55 in f x.c:9\nSUMMARY: AddressSanitizer: heap-use-after-free x.c:9 in f\n";
	char sa[320], sb[320], sc[320];

	(void)state;
	xo_signature(XO_ERROR_EXIT, EXITED(1), a, strlen(a), sa, sizeof(sa));
	xo_signature(XO_ERROR_EXIT, EXITED(1), b, strlen(b), sb, sizeof(sb));
	assert_string_equal(sa, sb);
	assert_string_equal(sa, "error-exit|exit 1|journal write N failed: -N");
	xo_signature(XO_CRASH, EXITED(1), asan, strlen(asan), sc, sizeof(sc));
	assert_string_equal(sc, "crash|exit 1|SUMMARY: AddressSanitizer: heap-use-after-free x.c:N in f");
	xo_signature(XO_ERROR_EXIT, EXITED(127), lib, strlen(lib), sc, sizeof(sc));
	assert_string_equal(sc, "error-exit|exit 127|/lib/x86_64-linux-gnu/libc.so.N: cannot read file data");
	xo_signature(XO_CRASH, SIGSEGV, "", 0, sc, sizeof(sc));
	assert_string_equal(sc, "crash|SIGSEGV|");
}

static void sites_specs_errors_defaults(void **state)
{
	static struct xs_sites s;
	const char *fps[] = { "db_write", "load" };
	char err[512];

	(void)state;
	memset(&s, 0, sizeof(s));
	assert_int_equal(xs_add_spec(&s, "sys:write,openat", fps, 2, err, sizeof(err)), 0);
	assert_int_equal(xs_add_spec(&s, "sys:write", fps, 2, err, sizeof(err)), 0);
	assert_int_equal(xs_add_spec(&s, "usdt", fps, 2, err, sizeof(err)), 0);
	assert_int_equal(s.n, 4);	/* each site once, in the order given */
	assert_string_equal(s.v[0].target, "sys:write");
	assert_string_equal(s.v[1].target, "sys:openat");
	assert_string_equal(s.v[2].target, "db_write");
	assert_int_equal(s.v[1].nfaults, 3);
	assert_string_equal(s.v[1].faults[2].action, "error(EMFILE)");
	assert_string_equal(s.v[0].faults[2].label, "short");
	assert_string_equal(s.v[2].faults[0].action, "return(-5)");
	/* ENOSPC is -28 at a failpoint: one fault, not two runs of the same. */
	assert_int_equal(xs_set_errors(&s, "db_write=-28,ENOSPC,7", err, sizeof(err)), 0);
	assert_int_equal(s.v[2].nfaults, 2);
	assert_string_equal(s.v[2].faults[0].action, "return(-28)");
	assert_string_equal(s.v[2].faults[1].action, "return(7)");
	assert_int_equal(xs_set_errors(&s, "sys:write=5", err, sizeof(err)), 0);
	assert_string_equal(s.v[0].faults[0].action, "error(EIO)");
	assert_int_equal(xs_set_errors(&s, "sys:read=EIO", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not one of the sites explored"));
	assert_int_equal(xs_set_errors(&s, "db_write=short", err, sizeof(err)), -1);
	assert_int_equal(xs_add_spec(&s, "db_wirte", fps, 2, err, sizeof(err)), -1);
	assert_int_equal(xs_add_spec(&s, "sys:nosuchcall", fps, 2, err, sizeof(err)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plan_depth1_order_and_bounds),
		cmocka_unit_test(plan_fail_nth_stops_when_the_fault_no_longer_fires),
		cmocka_unit_test(plan_depth2_only_where_counts_changed),
		cmocka_unit_test(plan_depth2_sequence_follows_its_own_step),
		cmocka_unit_test(outcome_classify),
		cmocka_unit_test(outcome_signature_groups_one_bug),
		cmocka_unit_test(sites_specs_errors_defaults),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

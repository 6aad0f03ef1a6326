// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The parts of a session that need no kernel: the holds (who is held and when it is let
 * go, through fake ops that record what the kernel would have been asked), and the rule
 * table (ids, and what a reload keeps, drops and adds). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "rules/ruleset.h"
#include "session/holds.h"
#include "session/rule_table.h"

/* What the fake kernel saw. */
struct fake {
	int locks, unlocks, depth;
	int released[512], nreleased;
	int writes, delivered, lost;
	bool stopped;		/* wait_stopped's answer */
	int drains;
};

static int f_lock(void *ctx)
{
	struct fake *f = ctx;

	f->locks++;
	f->depth++;
	return 0;
}

static void f_unlock(void *ctx, int token)
{
	struct fake *f = ctx;

	(void)token;
	f->unlocks++;
	f->depth--;
}

static int f_wait(void *ctx, pid_t pid)
{
	(void)pid;
	return ((struct fake *)ctx)->stopped ? 0 : -110;
}

static void f_drain(void *ctx)
{
	((struct fake *)ctx)->drains++;
}

static int f_write(void *ctx, pid_t pid, __u64 addr, const void *buf, size_t len)
{
	(void)pid;
	(void)addr;
	(void)buf;
	assert_int_equal(len, sizeof(struct fp_verdict));
	assert_true(((struct fake *)ctx)->depth > 0);	/* only under the lock */
	((struct fake *)ctx)->writes++;
	return 0;
}

static void f_release(void *ctx, pid_t pid)
{
	struct fake *f = ctx;

	assert_true(f->depth > 0);
	f->released[f->nreleased++ % 512] = pid;
}

static void f_claim(void *ctx, pid_t tid, __u64 slot)
{
	(void)ctx;
	(void)tid;
	(void)slot;
}

static void f_done(void *ctx, const struct fp_event *e, bool delivered)
{
	(void)e;
	if (delivered)
		((struct fake *)ctx)->delivered++;
	else
		((struct fake *)ctx)->lost++;
}

static struct holds *fake_holds(struct fake *f)
{
	struct hold_ops ops = { .ctx = f, .lock = f_lock, .unlock = f_unlock, .wait_stopped = f_wait,
				.drain = f_drain, .write = f_write, .release = f_release, .release_claim = f_claim,
				.done = f_done };

	memset(f, 0, sizeof(*f));
	f->stopped = true;
	return holds__new(&ops);
}

static struct fp_event write_req(pid_t pid, __u32 rid)
{
	struct fp_event e = { .kind = FP_REQ_WRITE, .pid = (__u32)pid, .tid = (__u32)pid, .rule = rid,
			      .slot = 0x7ff000, .nth = 1 };

	return e;
}

static void test_write_then_let_go(void **state)
{
	struct fake f;
	struct holds *h = fake_holds(&f);
	struct fp_event e = write_req(100, 0);

	(void)state;
	holds__queue_write(h, &e);
	holds__deliver(h);
	assert_int_equal(f.writes, 1);
	assert_int_equal(f.delivered, 1);
	assert_int_equal(f.nreleased, 1);
	assert_int_equal(f.released[0], 100);
	assert_int_equal(f.locks, f.unlocks);
	holds__free(h);
}

/* A thread that did not stop must never find its slot written later. */
static void test_not_stopped_not_written(void **state)
{
	struct fake f;
	struct holds *h = fake_holds(&f);
	struct fp_event e = write_req(100, 0);

	(void)state;
	f.stopped = false;
	holds__queue_write(h, &e);
	holds__deliver(h);
	assert_int_equal(f.writes, 0);
	assert_int_equal(f.lost, 1);
	assert_int_equal(f.nreleased, 1);
	holds__free(h);
}

/* A write done for a process a pause also holds does not continue it. */
static void test_write_inside_a_hold(void **state)
{
	struct fake f;
	struct holds *h = fake_holds(&f);
	struct fp_event e = write_req(100, 1);
	pid_t pids[4];

	(void)state;
	holds__hold(h, 100, 0, 0);
	holds__queue_write(h, &e);
	holds__deliver(h);
	assert_int_equal(f.writes, 1);
	assert_int_equal(f.nreleased, 0);
	assert_int_equal(holds__pids(h, pids, 4), 1);
	assert_int_equal(pids[0], 100);
	holds__release_rule(h, 1);	/* another rule: still held */
	assert_int_equal(f.nreleased, 0);
	holds__release_rule(h, 0);
	assert_int_equal(f.nreleased, 1);
	assert_int_equal(holds__pids(h, pids, 4), 0);
	holds__free(h);
}

static void test_sleeps_end_in_time(void **state)
{
	struct fake f;
	struct holds *h = fake_holds(&f);

	(void)state;
	holds__hold(h, 100, 0, 1000);
	holds__hold(h, 200, 0, 3000);
	holds__hold(h, 300, 1, 0);
	assert_int_equal(holds__release_due(h, 500), 1000);
	assert_int_equal(f.nreleased, 0);
	assert_int_equal(holds__release_due(h, 1500), 3000);
	assert_int_equal(f.nreleased, 1);
	assert_int_equal(f.released[0], 100);
	assert_int_equal(holds__release_due(h, 5000), 0);
	assert_int_equal(f.nreleased, 2);
	holds__release_all(h);
	assert_int_equal(f.nreleased, 3);
	assert_int_equal(f.released[2], 300);
	assert_int_equal(f.locks, f.unlocks);
	holds__free(h);
}

/* No cap on held processes: 300 forked children asleep are all let go, each once. */
static void test_no_cap_on_holds(void **state)
{
	struct fake f;
	struct holds *h = fake_holds(&f);
	pid_t pids[512];

	(void)state;
	for (int i = 0; i < 300; i++)
		assert_int_equal(holds__hold(h, 1000 + i, 0, 0), 0);
	assert_int_equal(holds__pids(h, pids, 512), 300);
	assert_int_equal(f.nreleased, 0);
	holds__release_all(h);
	assert_int_equal(f.nreleased, 300);
	for (int i = 0; i < 300; i++)
		assert_int_equal(f.released[i], 1000 + i);
	holds__free(h);
}

/* Teardown writes what is queued before it lets go. */
static void test_release_all_delivers_first(void **state)
{
	struct fake f;
	struct holds *h = fake_holds(&f);
	struct fp_event a = write_req(100, 0), b = write_req(101, 0);

	(void)state;
	holds__queue_write(h, &a);
	holds__queue_write(h, &b);
	holds__release_all(h);
	assert_int_equal(f.writes, 2);
	assert_int_equal(f.delivered, 2);
	assert_int_equal(f.nreleased, 2);
	holds__free(h);
}

static void add_rule(struct rule_table *rt, const char *text, const char *origin, int line, enum rule_source src)
{
	char err[256];
	int id = rule_table__free_id(rt);

	assert_true(id >= 0);
	assert_int_equal(rule_parse(text, origin, line, rule_table__rule(rt, id), err, sizeof(err)), 0);
	rule_table__commit(rt, id, src, NULL);
}

static void test_ids_reused_last(void **state)
{
	struct rule_table *rt = rule_table__new();

	(void)state;
	add_rule(rt, "a = off", "f", 1, SRC_FILE);
	add_rule(rt, "b = off", "f", 2, SRC_FILE);
	rule_table__retire(rt, 0);
	/* A retired id keeps its counters while never-used ids remain. */
	assert_int_equal(rule_table__free_id(rt), 2);
	for (int i = 2; i < FP_MAX_RULES; i++)
		add_rule(rt, "c = off", "f", 3, SRC_CTL);
	assert_int_equal(rule_table__free_id(rt), 0);
	add_rule(rt, "d = off", "f", 4, SRC_CTL);
	assert_int_equal(rule_table__free_id(rt), -1);
	assert_int_equal(rule_table__nlive(rt), FP_MAX_RULES);
	rule_table__free(rt);
}

static void test_reload_plan(void **state)
{
	struct rule_table *rt = rule_table__new();
	struct rule_file files[2] = { { "a.fp", false }, { "/dev/fd/63", true } };
	struct rule fresh[3];
	struct reload_plan plan;
	char err[256];

	(void)state;
	add_rule(rt, "x = off arg2=prod_*", "a.fp", 1, SRC_FILE);	/* 0: unchanged */
	add_rule(rt, "x = 2*return(-3)", "a.fp", 2, SRC_FILE);		/* 1: changed */
	add_rule(rt, "y = print", "a.fp", 3, SRC_FILE);			/* 2: removed */
	add_rule(rt, "z = print", "/dev/fd/63", 1, SRC_FILE);		/* 3: from a pipe */
	add_rule(rt, "w = print", "-e1", 1, SRC_INLINE);			/* 4: inline */
	assert_int_equal(rule_parse("x = 1*return(-6)", "a.fp", 1, &fresh[0], err, sizeof(err)), 0);
	assert_int_equal(rule_parse("x = off arg2=prod_*", "a.fp", 2, &fresh[1], err, sizeof(err)), 0);
	rule_table__plan_reload(rt, fresh, 2, files, 2, &plan);
	assert_true(plan.keep[0]);
	assert_int_equal(plan.fresh_of[0], 1);	/* it moved to line 2 */
	assert_true(plan.drop[1] && plan.drop[2]);
	assert_false(plan.drop[0] || plan.drop[3] || plan.drop[4]);
	assert_true(plan.keep[3]);
	assert_int_equal(plan.once_kept, 1);
	assert_true(plan.add[0]);
	assert_false(plan.add[1]);
	assert_int_equal(plan.changed, 3);
	rule_table__free(rt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_then_let_go),
		cmocka_unit_test(test_not_stopped_not_written),
		cmocka_unit_test(test_write_inside_a_hold),
		cmocka_unit_test(test_sleeps_end_in_time),
		cmocka_unit_test(test_no_cap_on_holds),
		cmocka_unit_test(test_release_all_delivers_first),
		cmocka_unit_test(test_ids_reused_last),
		cmocka_unit_test(test_reload_plan),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

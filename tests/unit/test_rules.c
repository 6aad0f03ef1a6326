// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Rule grammar: every example from the issue parses and means what it says; bad input
 * gets file:line:col and what was expected. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <fcntl.h>
#include <cmocka.h>
#include "rules/names.h"
#include "rules/rules.h"
#include "rules/ruleset.h"
#include "util/num.h"
#include "util/readfile.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static struct rule r;
static char err[512];

static void parse_ok(const char *text)
{
	int ret = rule_parse(text, "t.fp", 1, &r, err, sizeof(err));

	if (ret)
		print_error("unexpected error: %s\n", err);
	assert_int_equal(ret, 0);
}

static void parse_err(const char *text, const char *expect)
{
	assert_int_equal(rule_parse(text, "t.fp", 3, &r, err, sizeof(err)), -1);
	if (!strstr(err, expect))
		print_error("error '%s' lacks '%s'\n", err, expect);
	assert_non_null(strstr(err, expect));
}

static void test_probability_count_chain(void **state)
{
	(void)state;
	parse_ok("db_write          = 20%3*return(-5)->off");
	assert_string_equal(r.name, "db_write");
	assert_string_equal(r.provider, "");
	assert_int_equal(r.nterms, 2);
	assert_int_equal(r.terms[0].prob_ppm, 200000);
	assert_int_equal(r.terms[0].count, 3);
	assert_int_equal(r.terms[0].action, RA_RETURN);
	assert_int_equal(r.terms[0].value, -5);
	assert_int_equal(r.terms[1].action, RA_OFF);
	assert_int_equal(r.terms[1].count, -1);
	assert_int_equal(r.terms[1].prob_ppm, FP_PROB_ONE);
}

static void test_issue_examples(void **state)
{
	(void)state;
	parse_ok("wal_fsync         = 1*panic");
	assert_int_equal(r.terms[0].count, 1);
	assert_int_equal(r.terms[0].action, RA_PANIC);

	parse_ok("conn_accept       = sleep(250)                 comm=demo*");
	assert_int_equal(r.terms[0].action, RA_SLEEP);
	assert_int_equal(r.terms[0].arg, 250);
	assert_string_equal(r.comm, "demo*");

	parse_ok("backup_step       = return(-1)                 arg1=test_*");
	assert_int_equal(r.args[0].kind, FP_ARG_STR_GLOB);
	assert_string_equal(r.args[0].glob, "test_*");

	parse_ok("myapp:flush       = 2*print->exit(3)           after=10");
	assert_string_equal(r.provider, "myapp");
	assert_string_equal(r.name, "flush");
	assert_int_equal(r.terms[0].action, RA_PRINT);
	assert_int_equal(r.terms[1].action, RA_EXIT);
	assert_int_equal(r.terms[1].value, 3);
	assert_int_equal(r.after, 10);

	parse_ok("usdt:/usr/bin/prog:provider:probe = signal(SIGUSR1)");
	assert_string_equal(r.path, "/usr/bin/prog");
	assert_string_equal(r.provider, "provider");
	assert_string_equal(r.name, "probe");
	assert_int_equal(r.terms[0].action, RA_SIGNAL);
	assert_int_equal(r.terms[0].value, 10);
}

static void test_error_and_names(void **state)
{
	(void)state;
	parse_ok("x = error(EIO)");
	assert_int_equal(r.terms[0].value, -5);
	parse_ok("x = error(28)");
	assert_int_equal(r.terms[0].value, -28);
	parse_ok("x = signal(usr2)");
	assert_int_equal(r.terms[0].value, 12);
	parse_ok("x = signal(9)");
	assert_int_equal(r.terms[0].value, 9);
	parse_ok("x = return(0x10)");
	assert_int_equal(r.terms[0].value, 16);
	parse_ok("x = 0.5%print(hello world)");
	assert_int_equal(r.terms[0].prob_ppm, 5000);
	assert_string_equal(r.terms[0].msg, "hello world");
	assert_string_equal(errno_name(2), "ENOENT");
	assert_int_equal(errno_from_name("ENOSPC"), 28);
	assert_int_equal(errno_from_name("EBOGUS"), -1);
	assert_int_equal(signal_from_name("SIGKILL"), 9);
	assert_string_equal(signal_name(15), "SIGTERM");
}

static void test_when(void **state)
{
	(void)state;
	parse_ok("x = return(1) when=3");
	assert_int_equal(r.when_first, 3);
	assert_int_equal(r.when_last, 3);
	parse_ok("x = return(1) when=2..5");
	assert_int_equal(r.when_first, 2);
	assert_int_equal(r.when_last, 5);
	assert_int_equal(r.when_step, 1);
	parse_ok("x = return(1) when=4+");
	assert_int_equal(r.when_first, 4);
	assert_int_equal(r.when_last, 0);
	assert_int_equal(r.when_step, 1);
	parse_ok("x = return(1) when=1..9+2");
	assert_int_equal(r.when_last, 9);
	assert_int_equal(r.when_step, 2);
	parse_err("x = return(1) when=5..2", "t.fp:3:20: when= range ends");
	parse_err("x = return(1) when=0", "when= needs FIRST");
}

static void test_filters(void **state)
{
	(void)state;
	parse_ok("x = pause pid=42 tid=43 arg2=7 arg3=\"12\" arg4=-3");
	assert_int_equal(r.pid, 42);
	assert_int_equal(r.tid, 43);
	assert_int_equal(r.args[1].kind, FP_ARG_INT_EQ);
	assert_int_equal(r.args[1].value, 7);
	assert_int_equal(r.args[2].kind, FP_ARG_STR_GLOB);
	assert_string_equal(r.args[2].glob, "12");
	assert_int_equal(r.args[3].value, -3);
	parse_err("x = pause pid=42 pid=4", "t.fp:3:18: filter 'pid' given twice");
	parse_err("x = pause cmm=foo", "t.fp:3:11: unknown filter 'cmm', expected one of pid=");
	parse_err("x = pause cmm=foo", "did you mean 'comm='");
	parse_err("x = pause comm=averyveryverylongname", "comm= pattern is longer");
	parse_err("x = pause pid=abc", "t.fp:3:15: pid= needs a positive number");
}

/* caller= is a filter (flag in BPF) and a site of its own for set/off. */
static void test_caller(void **state)
{
	struct rule a, b, none, key;
	char err[256];
	struct fp_rule br;

	(void)state;
	parse_ok("sys:write = error(EIO) caller=journal_* comm=x");
	assert_string_equal(r.caller, "journal_*");
	rule_to_bpf(&r, &br);
	assert_true(br.flags & FP_RF_CALLER);
	parse_err("x = pause caller=a caller=b", "filter 'caller' given twice");
	parse_err("x = pause caler=a", "did you mean 'caller='");
	assert_int_equal(rule_parse("sys:write = error(EIO) caller=a", "t", 1, &a, err, sizeof(err)), 0);
	assert_int_equal(rule_parse("sys:write = error(EIO) caller=b", "t", 1, &b, err, sizeof(err)), 0);
	assert_int_equal(rule_parse("sys:write = error(EIO)", "t", 1, &none, err, sizeof(err)), 0);
	assert_false(rule_target_matches(&a, &b));
	assert_true(rule_target_matches(&a, &a));
	assert_true(rule_target_matches(&a, &none));
	assert_false(rule_target_matches(&none, &a));
	assert_int_equal(rule_parse_target("sys:write", "off", &key, err, sizeof(err)), 0);
	assert_true(rule_target_matches(&b, &key));
}

static void test_kernel_rules(void **state)
{
	(void)state;
	parse_ok("sys:openat        = 10%error(ENOENT)                path=/etc/demo/*");
	assert_int_equal(r.kind, TARGET_SYS);
	assert_string_equal(r.name, "openat");
	assert_int_equal(r.terms[0].value, -2);
	assert_int_equal(r.nnamed, 1);
	assert_string_equal(r.named[0].name, "path");
	assert_int_equal(r.named[0].a.kind, FP_ARG_STR_GLOB);
	assert_string_equal(r.named[0].a.glob, "/etc/demo/*");
	parse_ok("sys:write         = error(EIO)                      fd=3 when=5..7");
	assert_int_equal(r.named[0].a.kind, FP_ARG_INT_EQ);
	assert_int_equal(r.named[0].a.value, 3);
	assert_int_equal(r.when_first, 5);
	parse_ok("sys:fsync         = 1*error(EIO)->off               comm=postgres*");
	parse_ok("sys:connect       = error(ECONNREFUSED)             cgroup=/sys/fs/cgroup/test.slice");
	assert_string_equal(r.cgroup, "/sys/fs/cgroup/test.slice");
	parse_ok("sys:read          = return(0)                       fd=0 after=2");
	parse_ok("kfunc:should_failslab = 1%error(ENOMEM)        comm=victim");
	assert_int_equal(r.kind, TARGET_KFUNC);
	parse_ok("sys:openat = error(EACCES) flags&=O_CREAT|O_TRUNC uid=0");
	assert_int_equal(r.named[0].a.kind, FP_ARG_INT_MASK);
	assert_int_equal(r.named[0].a.value, O_CREAT | O_TRUNC);
	assert_true(r.has_uid);
	assert_int_equal(r.uid, 0);
	parse_ok("sys:read = delay(100)->signal(SIGUSR1)->print->off arg1=4");
	assert_int_equal(r.args[0].value, 4);
	parse_err("sys:read = sleep(5) fd=1", "t.fp:3:12: sleep is for USDT failpoints; sys: rules take error, return, signal, delay, print or off (did you mean delay?)");
	parse_err("kfunc:should_failslab = panic", "panic is for USDT failpoints; kfunc: rules");
	parse_err("kfunc:should_failslab = error(ENOMEM) arg1=3", "t.fp:3:39: argument filters are for sys: rules");
	parse_err("sys:openat = error(EIO) flags&=O_BOGUS", "unknown flag name 'O_BOGUS' in flags&=, expected names like O_CREAT|O_TRUNC or a number");
	parse_err("sys:openat = error(EIO) fd=1 fd=2", "filter 'fd' given twice");
	parse_err("sys:openat = error(EIO) cgroup=relative", "cgroup= needs the absolute path");
	parse_err("sys:openat = error(EIO) uid=nosuchuser_xyz", "uid= needs a user id or a user name");
	parse_err("x = return(1) fd=3", "unknown filter 'fd'");
	parse_err("sys:9 = off", "expected a syscall name after 'sys:'");
	assert_false(rule_parse("sys:read = off comm=x", "t", 1, &r, err, sizeof(err)));
	assert_true(rule_has_scope(&r));
	assert_false(rule_parse("sys:read = off fd=1", "t", 1, &r, err, sizeof(err)));
	assert_false(rule_has_scope(&r));
}

static void test_errors_have_positions(void **state)
{
	(void)state;
	parse_err("db_write = retrun(-1)", "t.fp:3:12: unknown action 'retrun', expected one of off, return");
	parse_err("db_write = retrun(-1)", "did you mean 'return'");
	parse_err("db_write return(-1)", "t.fp:3:20: expected '='");
	parse_err(" = return(-1)", "t.fp:3:2: missing failpoint name");
	parse_err("9bad = off", "t.fp:3:1: expected a failpoint name");
	parse_err("x = error(EBOGUS)", "t.fp:3:11: error needs an errno name or number");
	parse_err("x = sleep", "sleep needs milliseconds");
	parse_err("x = exit(300)", "exit needs a status from 0 to 255");
	parse_err("x = signal(SIGNOPE)", "signal needs a signal name");
	parse_err("x = 150%off", "t.fp:3:5: probability must be above 0% and at most 100%");
	parse_err("x = 0*off", "count must be a whole number");
	parse_err("x = return(1", "missing ')'");
	parse_err("x = off(1)", "'off' takes no argument");
	parse_err("x = return(abc)", "return value must be an integer");
	parse_err("x = off->off->off->off->off", "too many terms");
	parse_err("x = return(1)junk", "expected '->' or a space");
	parse_err("x = return(\"text\")", "fail-rs's string values cannot be honoured");
	parse_err("usdt:nopath = off", "expected usdt:PATH:PROVIDER:NAME");
}

/* FAILPOINTS="a=return(42);b=sleep(1000);c=exit", as fail-rs and Neon take them. */
static void test_failpoint_lists(void **state)
{
	struct rule rules[4];
	struct rule_span spans[4];

	(void)state;
	assert_int_equal(rules_parse_line("a=return(42);b=sleep(1000);c=exit", "$FAILPOINTS", 1, rules, 4, err,
					  sizeof(err)), 3);
	assert_string_equal(rules[0].name, "a");
	assert_int_equal(rules[0].terms[0].value, 42);
	assert_int_equal(rules[1].terms[0].action, RA_SLEEP);
	assert_int_equal(rules[2].terms[0].action, RA_EXIT);
	assert_int_equal(rules[2].terms[0].value, 1);	/* bare exit: a failure */
	/* A ';' inside quotes or parentheses is the rule's own; empty rules are skipped. */
	assert_int_equal(rules_split("a = print(\"x;y\");;b = off;", spans, 4), 4);
	assert_int_equal(rules_parse_line("a = print(\"x;y\");;b = off;", "-e1", 1, rules, 4, err, sizeof(err)), 2);
	assert_non_null(strstr(rules[0].terms[0].msg, "x;y"));
	assert_int_equal(rules_split("a;b;c;d;e", spans, 4), -1);
	/* An error's column is the one in the whole line. */
	assert_int_equal(rules_parse_line("a=off;b=retrun", "-e1", 1, rules, 4, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "-e1:1:9: unknown action 'retrun'"));
	assert_int_equal(rules_parse_line("a=off;b=off;c=off", "-e1", 1, rules, 2, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "-e1:1:13: too many rules"));
	/* A file's line may hold a list. */
	assert_int_equal(rules_parse_text("a=off;b=off # two\nc=off\n", "f.fp", rules, 4, err, sizeof(err)), 3);
	assert_int_equal(rules[2].line, 2);
	/* fail-rs's delay at a failpoint: a sleep the marker spends busy. */
	parse_ok("x = delay(5)");
	{
		struct fp_term t;

		rule_term_to_bpf(&r.terms[0], &t);
		assert_int_equal(t.action, FP_ACT_SLEEP);
		assert_int_equal(t.value, FP_TERM_BUSY);
		rule_term_to_bpf(&rules[0].terms[0], &t);
		assert_int_not_equal(t.value, FP_TERM_BUSY);
	}
}

static void test_rule_file(void **state)
{
	struct rule rules[4];
	const char *text = "# comment\n\nalpha = 1*return(3)  # trailing comment\n"
			   "  beta = print(a #hash) comm=x\n";

	(void)state;
	assert_int_equal(rules_parse_text(text, "f.fp", rules, 4, err, sizeof(err)), 2);
	assert_string_equal(rules[0].name, "alpha");
	assert_int_equal(rules[0].line, 3);
	assert_string_equal(rules[1].terms[0].msg, "a #hash");
	assert_int_equal(rules[1].line, 4);
	assert_int_equal(rules_parse_text("ok = off\nbad = nope\n", "f.fp", rules, 4, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "f.fp:2:7: unknown action 'nope'"));
	assert_int_equal(rules_parse_text("a = off\nb = off\n", "f.fp", rules, 1, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "too many rules"));
}

static void test_to_bpf(void **state)
{
	struct fp_rule b;

	(void)state;
	parse_ok("x = 50%2*error(EIO)->sleep(7) comm=ab* arg1=5 when=2..4+2 after=1");
	rule_to_bpf(&r, &b);
	assert_int_equal(b.nterms, 2);
	assert_int_equal(b.terms[0].prob_ppm, 500000);
	assert_int_equal(b.terms[0].count, 2);
	assert_int_equal(b.terms[0].action, FP_ACT_RETURN);
	assert_int_equal(b.terms[0].value, -5);
	assert_int_equal(b.terms[1].action, FP_ACT_SLEEP);
	assert_int_equal(b.terms[1].arg, 7);
	assert_string_equal(b.comm, "ab*");
	assert_int_equal(b.args[0].kind, FP_ARG_INT_EQ);
	assert_int_equal(b.when_first, 2);
	assert_int_equal(b.when_step, 2);
	assert_int_equal(b.after, 1);
}

static void test_unsupported_at_site(void **state)
{
	(void)state;
	parse_ok("x = return(1)");
	assert_non_null(rule_term_unsupported(&r.terms[0], false, false));
	assert_non_null(strstr(rule_term_unsupported(&r.terms[0], true, false), "FPBPF_POINT"));
	assert_null(rule_term_unsupported(&r.terms[0], true, true));
	parse_ok("x = sleep(5)");
	assert_null(rule_term_unsupported(&r.terms[0], false, false));
	parse_ok("x = exit(1)");
	assert_non_null(rule_term_unsupported(&r.terms[0], false, false));
}

static void test_edit_distance(void **state)
{
	(void)state;
	assert_int_equal(edit_distance("retrun", "return"), 2);
	assert_int_equal(edit_distance("", "abc"), 3);
	assert_int_equal(edit_distance("same", "same"), 0);
}


/* Probabilities are exact to 0.0001%, and refused, never rounded, past that. */
static void test_probability_exact(void **state)
{
	(void)state;
	parse_ok("x = 99.999%return(1)");
	assert_int_equal(r.terms[0].prob_ppm, 999990);
	parse_ok("x = 0.005%return(1)");
	assert_int_equal(r.terms[0].prob_ppm, 50);
	parse_ok("x = 0.0001%return(1)");
	assert_int_equal(r.terms[0].prob_ppm, 1);
	parse_ok("x = 12.50000%return(1)");
	assert_int_equal(r.terms[0].prob_ppm, 125000);
	parse_err("x = 0.00001%return(1)", "t.fp:3:5: probability 0.00001% is finer than fpbpf's step of 0.0001%");
	parse_err("x = 99.99999%return(1)", "finer than");
	parse_err("x = 0%return(1)", "above 0%");
	parse_err("x = 100.0001%return(1)", "at most 100%");
}

/* Upper-case words are flag names: an unknown one is an error, not a string glob. */
static void test_unknown_flag_names(void **state)
{
	(void)state;
	parse_err("sys:openat = off flags&=O_CREAT|O_BOGUS", "t.fp:3:33: unknown flag name 'O_BOGUS'");
	parse_err("x = off arg1=O_CREAT|O_BOGUS", "unknown flag name 'O_BOGUS' in arg1=");
	parse_err("x = off arg2=PROD", "quote a string glob");
	parse_ok("x = off arg2=\"PROD\"");
	assert_int_equal(r.args[1].kind, FP_ARG_STR_GLOB);
	parse_ok("x = off arg2=PROD*");
	assert_int_equal(r.args[1].kind, FP_ARG_STR_GLOB);
	parse_ok("x = off arg1=O_CREAT|O_TRUNC");
	assert_int_equal(r.args[0].kind, FP_ARG_INT_EQ);
	assert_int_equal(r.args[0].value, O_CREAT | O_TRUNC);
}

/* Numbers are read whole: nothing is clamped. */
static void test_numbers_exact(void **state)
{
	uint64_t u;
	int64_t i;

	(void)state;
	assert_int_equal(num_u64("18446744073709551615", 1, UINT64_MAX, &u), 0);
	assert_true(u == UINT64_MAX);
	assert_int_equal(num_u64("18446744073709551616", 1, UINT64_MAX, &u), -ERANGE);
	assert_int_equal(num_u64("1e23", 1, UINT64_MAX, &u), -EINVAL);
	assert_int_equal(num_u64("-1", 1, UINT64_MAX, &u), -EINVAL);
	assert_int_equal(num_u64("0", 1, UINT64_MAX, &u), -ERANGE);
	assert_int_equal(num_i64("9223372036854775808", INT64_MIN, INT64_MAX, &i), -ERANGE);
	assert_int_equal(num_i64("0x10", 0, 100, &i), 0);
	assert_int_equal(i, 16);
	assert_int_equal(num_fixed("0.5", 3, 1000000, &u), 0);
	assert_int_equal(u, 500);
	assert_int_equal(num_fixed("0.0005", 3, 1000000, &u), -EDOM);
	assert_int_equal(num_fixed("1.", 3, 1000000, &u), 0);
	assert_int_equal(u, 1000);
	assert_int_equal(num_fixed(".", 3, 1000000, &u), -EINVAL);
	assert_int_equal(num_fixed("1e3", 3, 1000000, &u), -EINVAL);
	parse_err("x = off pid=99999999999999999999", "pid= needs a positive number");
	parse_err("x = return(99999999999999999999)", "return value must be an integer");
}

static const char *write_tmp(const char *name, const char *data, size_t len)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "/tmp/fpbpf-unit-%d-%s", getpid(), name);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
	return path;
}

/* A rule file is text: a NUL, a directory, a device or a huge file is refused. */
static void test_rule_files_refused(void **state)
{
	struct ruleset rs = {};
	const char *p;

	(void)state;
	p = write_tmp("nul.fp", "a = off\nbb = \0off\nc = off\n", 26);
	assert_int_equal(ruleset_add_file(&rs, p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "nul.fp:2:6: NUL byte"));
	unlink(p);
	assert_int_equal(ruleset_add_file(&rs, "/tmp", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/tmp: a directory, expected a rule file"));
	assert_int_equal(ruleset_add_file(&rs, "/dev/zero", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/dev/zero: a device"));
	{
		char *big = malloc(TEXT_FILE_MAX + 2);

		memset(big, '#', TEXT_FILE_MAX + 1);
		p = write_tmp("big.fp", big, TEXT_FILE_MAX + 1);
		free(big);
		assert_int_equal(ruleset_add_file(&rs, p, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "larger than"));
		unlink(p);
	}
	assert_int_equal(rs.n, 0);
	ruleset_free(&rs);
}

/* Every file is kept, however many; a pipe is read once and a reload skips it. */
static void test_many_files_and_pipes(void **state)
{
	struct ruleset rs = {};
	struct rule *fresh = calloc(FP_MAX_RULES, sizeof(*fresh));
	char paths[70][64], pipe_path[64];
	int pfd[2];

	(void)state;
	for (int i = 0; i < 70; i++) {
		char text[32], name[32];

		snprintf(text, sizeof(text), "f%d = off\n", i);
		snprintf(name, sizeof(name), "many%d.fp", i);
		snprintf(paths[i], sizeof(paths[i]), "%s", write_tmp(name, text, strlen(text)));
		assert_int_equal(ruleset_add_file(&rs, paths[i], err, sizeof(err)), 0);
	}
	assert_int_equal(pipe(pfd), 0);
	assert_int_equal(write(pfd[1], "p = off\n", 8), 8);
	close(pfd[1]);
	snprintf(pipe_path, sizeof(pipe_path), "/proc/self/fd/%d", pfd[0]);
	assert_int_equal(ruleset_add_file(&rs, pipe_path, err, sizeof(err)), 0);
	close(pfd[0]);
	assert_int_equal(rs.nfiles, 71);
	assert_true(rs.files[70].once);
	assert_int_equal(rs.n, 71);
	/* The 70th file changes: a reload reads it, and skips the pipe. */
	{
		FILE *f = fopen(paths[69], "w");

		fputs("f69 = print\n", f);
		fclose(f);
	}
	assert_int_equal(ruleset_reread(rs.files, rs.nfiles, fresh, FP_MAX_RULES, err, sizeof(err)), 70);
	assert_string_equal(fresh[69].text, "f69 = print");
	for (int i = 0; i < 70; i++)
		unlink(paths[i]);
	ruleset_free(&rs);
	free(fresh);
}

/* check refuses what run refuses: a ninth rule on one failpoint, at its position. */
static void test_limits_with_positions(void **state)
{
	struct rule rules[10];
	const char *text = "a = off\nfpbpf:a = off\na = off\na = off\nb = off\na = off\na = off\na = off\na = off\n  a = print\n";
	int n;

	(void)state;
	n = rules_parse_text(text, "lim.fp", rules, 10, err, sizeof(err));
	assert_int_equal(n, 10);
	assert_int_equal(ruleset_check_limits(rules, 9, err, sizeof(err)), 0);
	assert_int_equal(ruleset_check_limits(rules, 10, err, sizeof(err)), -1);
	assert_string_equal(err, "lim.fp:10:3: too many rules on 'a' (at most 8 on one failpoint)");
	/* Different providers do not share a probe. */
	n = rules_parse_text("p:a = off\nq:a = off\np:a = off\np:a = off\np:a = off\np:a = off\np:a = off\np:a = off\nq:a = off\n",
			     "lim.fp", rules, 10, err, sizeof(err));
	assert_int_equal(ruleset_check_limits(rules, n, err, sizeof(err)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probability_count_chain),
		cmocka_unit_test(test_issue_examples),
		cmocka_unit_test(test_caller),
		cmocka_unit_test(test_error_and_names),
		cmocka_unit_test(test_when),
		cmocka_unit_test(test_filters),
		cmocka_unit_test(test_kernel_rules),
		cmocka_unit_test(test_errors_have_positions),
		cmocka_unit_test(test_rule_file),
		cmocka_unit_test(test_to_bpf),
		cmocka_unit_test(test_unsupported_at_site),
		cmocka_unit_test(test_edit_distance),
		cmocka_unit_test(test_probability_exact),
		cmocka_unit_test(test_unknown_flag_names),
		cmocka_unit_test(test_numbers_exact),
		cmocka_unit_test(test_rule_files_refused),
		cmocka_unit_test(test_failpoint_lists),
		cmocka_unit_test(test_many_files_and_pipes),
		cmocka_unit_test(test_limits_with_positions),
	};

	return cmocka_run_group_tests_name("rules", tests, NULL, NULL);
}

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The pieces of live control that need no kernel: target matching for set/off/wait, the
 * client's JSON reading, session names; and the glob split BPF relies on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "control/control.h"
#include "util/json_scan.h"
#include "rules/rules.h"

static struct rule r, key;
static char err[512];

static void parse(struct rule *out, const char *text)
{
	int ret = rule_parse(text, "t", 1, out, err, sizeof(err));

	if (ret)
		print_error("unexpected error: %s\n", err);
	assert_int_equal(ret, 0);
}

static void test_target_matching(void **state)
{
	char buf[256];

	(void)state;
	parse(&r, "app:db_write = return(1) arg1=3");
	assert_int_equal(rule_parse_target("db_write", "off", &key, err, sizeof(err)), 0);
	assert_true(rule_target_matches(&r, &key));
	assert_int_equal(rule_parse_target("app:db_write", "off", &key, err, sizeof(err)), 0);
	assert_true(rule_target_matches(&r, &key));
	assert_int_equal(rule_parse_target("other:db_write", "off", &key, err, sizeof(err)), 0);
	assert_false(rule_target_matches(&r, &key));
	assert_int_equal(rule_parse_target("db_read", "off", &key, err, sizeof(err)), 0);
	assert_false(rule_target_matches(&r, &key));
	/* A syscall and a failpoint of the same name are different targets. */
	parse(&r, "sys:openat = error(ENOENT) comm=x");
	assert_int_equal(rule_parse_target("openat", "off", &key, err, sizeof(err)), 0);
	assert_false(rule_target_matches(&r, &key));
	assert_int_equal(rule_parse_target("sys:openat", "off", &key, err, sizeof(err)), 0);
	assert_true(rule_target_matches(&r, &key));
	rule_target_string(&r, buf, sizeof(buf));
	assert_string_equal(buf, "sys:openat");
	parse(&r, "usdt:/bin/x:p:n = print");
	rule_target_string(&r, buf, sizeof(buf));
	assert_string_equal(buf, "usdt:/bin/x:p:n");
}

static void test_target_errors(void **state)
{
	(void)state;
	assert_int_equal(rule_parse_target("db_write=return(1)", "off", &key, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "expected a failpoint name"));
	assert_int_equal(rule_parse_target("", "off", &key, err, sizeof(err)), -1);
	assert_int_equal(rule_parse_target("a b", "wait", &key, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "wait: expected a failpoint name"));
}

static void test_json_scan(void **state)
{
	const char *obj = "{\"v\":1,\"ok\":false,\"error\":\"a \\\"quoted\\\" \\\\ {x}\",\"n\":-2.5,"
			  "\"rules\":[{\"id\":3,\"text\":\"t, ] }\"},{\"id\":4}],\"targets\":[7,8],\"last\":true}";
	const char *el = NULL;
	char s[64];
	double n = 0;
	bool b = true;
	int ids = 0, pids = 0;

	(void)state;
	assert_true(json_get_bool(obj, "ok", &b));
	assert_false(b);
	assert_true(json_get_str(obj, "error", s, sizeof(s)));
	assert_string_equal(s, "a \"quoted\" \\ {x}");
	assert_true(json_get_num(obj, "n", &n));
	assert_true(n == -2.5);
	assert_true(json_get_bool(obj, "last", &b));
	assert_true(b);
	assert_false(json_get_num(obj, "id", &n));	/* only top-level keys */
	assert_false(json_get_str(obj, "missing", s, sizeof(s)));
	while ((el = json_array_next(obj, "rules", el))) {
		assert_true(json_get_num(el, "id", &n));
		ids += (int)n;
	}
	assert_int_equal(ids, 7);
	el = NULL;
	while ((el = json_array_next(obj, "targets", el)))
		pids++;
	assert_int_equal(pids, 2);
	assert_true(json_get_str("{\"s\":\"abcdef\"}", "s", s, 4));
	assert_string_equal(s, "abc");
	assert_false(json_get_bool("not json", "ok", &b));
}

/* BPF compares these patterns without the general glob, so the split must be exact. */
static void test_glob_kind(void **state)
{
	__u16 len = 99;

	(void)state;
	assert_int_equal(glob_kind("abc", &len), FP_GLOB_LITERAL);
	assert_int_equal(len, 3);
	assert_int_equal(glob_kind("test_*", &len), FP_GLOB_PREFIX);
	assert_int_equal(len, 5);
	assert_int_equal(glob_kind("*", &len), FP_GLOB_PREFIX);
	assert_int_equal(len, 0);
	assert_int_equal(glob_kind("", &len), FP_GLOB_LITERAL);
	assert_int_equal(glob_kind("a*c", &len), FP_GLOB_GENERAL);
	assert_int_equal(glob_kind("ab?", &len), FP_GLOB_GENERAL);
	assert_int_equal(glob_kind("ab**", &len), FP_GLOB_GENERAL);
}

static void test_session_names(void **state)
{
	(void)state;
	assert_true(ctl_name_ok("db-1.test_2"));
	assert_false(ctl_name_ok(""));
	assert_false(ctl_name_ok(".hidden"));
	assert_false(ctl_name_ok("a/b"));
	assert_false(ctl_name_ok("../x"));
	assert_false(ctl_name_ok("0123456789012345678901234567890123456789012345678"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_target_matching),
		cmocka_unit_test(test_target_errors),
		cmocka_unit_test(test_json_scan),
		cmocka_unit_test(test_glob_kind),
		cmocka_unit_test(test_session_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

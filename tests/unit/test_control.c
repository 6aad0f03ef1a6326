// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The pieces of live control that need no kernel: target matching for set/off/wait,
 * session names, the glob split BPF relies on, and the control server itself, driven by
 * real clients on a real socket: no client can block it, requests sent together are
 * answered in order, idle clients make room, a NUL byte is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "control/ctl_client.h"
#include "control/ctl_proto.h"
#include "control/ctl_server.h"
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
	char e[256];

	(void)state;
	assert_true(ctl_name_ok("db-1.test_2", e, sizeof(e)));
	assert_false(ctl_name_ok("", e, sizeof(e)));
	assert_false(ctl_name_ok(".hidden", e, sizeof(e)));
	assert_false(ctl_name_ok("a/b", e, sizeof(e)));
	assert_non_null(strstr(e, "bad name 'a/b'"));
	assert_false(ctl_name_ok("../x", e, sizeof(e)));
	assert_false(ctl_name_ok("0123456789012345678901234567890123456789012345678", e, sizeof(e)));
}

/* A session's request handler, as far as the server is concerned: "echo X" answers at
 * once, "defer" answers when released, "big" answers 64 KiB. */
static struct ctl_client *deferred;
static bool release_now = true;

static void handler(void *ctx, struct ctl_client *c, char *line)
{
	char reply[128];

	(void)ctx;
	if (!strncmp(line, "echo ", 5)) {
		snprintf(reply, sizeof(reply), "{\"echo\":\"%.100s\"}", line + 5);
		ctl_reply(c, reply);
	} else if (!strcmp(line, "defer")) {
		deferred = c;
		ctl_defer(c, NULL);
	} else if (!strcmp(line, "big")) {
		static char big[65536];

		memset(big, 'x', sizeof(big) - 1);
		big[0] = '"';
		big[sizeof(big) - 2] = '"';
		ctl_reply(c, big);
	}
}

static void release(void *ctx, struct ctl_client *c)
{
	(void)ctx;
	if (c == deferred && release_now) {
		ctl_reply(c, "{\"released\":true}");
		deferred = NULL;
	}
}

struct server_fixture {
	struct ctl_server *srv;
	char name[64];
};

static int server_up(void **state)
{
	static struct server_fixture f;
	char e[256];

	snprintf(f.name, sizeof(f.name), "unit-%d", getpid());
	if (geteuid() != 0 || ctl_server_open(&f.srv, f.name, handler, NULL, e, sizeof(e))) {
		print_message("control server tests need root for %s: skipped (%s)\n", CTL_DIR, e);
		f.srv = NULL;
	}
	*state = &f;
	return 0;
}

static int server_down(void **state)
{
	struct server_fixture *f = *state;

	ctl_server_close(f->srv);
	return 0;
}

/* One round of the session's loop. */
static void pump(struct ctl_server *srv, int timeout)
{
	struct pollfd pfds[1 + CTL_MAX_CLIENTS];
	int n = ctl_server_pollfds(srv, pfds, 1 + CTL_MAX_CLIENTS);

	poll(pfds, (nfds_t)n, timeout);
	ctl_server_service(srv, pfds, n);
	ctl_server_each_deferred(srv, release, NULL);
}

static int client(const struct server_fixture *f)
{
	char e[256];
	int fd = ctl_connect(f->name, e, sizeof(e));

	assert_true(fd >= 0);
	return fd;
}

/* Reads one line within about a second of pumping, or returns "" when none came. */
static void read_line(struct ctl_server *srv, int fd, char *buf, size_t len)
{
	size_t got = 0;

	buf[0] = 0;
	for (int round = 0; round < 100 && got + 1 < len; round++) {
		ssize_t n;

		pump(srv, 10);
		n = recv(fd, buf + got, 1, MSG_DONTWAIT);
		if (n == 1 && buf[got] == '\n') {
			buf[got] = 0;
			return;
		}
		if (n == 1) {
			got++;
			round--;
		}
	}
	buf[got] = 0;
}

static void test_pipelined_in_order(void **state)
{
	struct server_fixture *f = *state;
	const char *req = "defer\necho after\n";
	char line[256];
	int fd;

	if (!f->srv)
		skip();
	fd = client(f);
	release_now = false;
	assert_int_equal(send(fd, req, strlen(req), 0), (ssize_t)strlen(req));
	pump(f->srv, 50);
	pump(f->srv, 50);
	/* Nothing yet: "echo" waits behind the deferred request. */
	assert_int_equal(recv(fd, line, sizeof(line), MSG_DONTWAIT), -1);
	release_now = true;
	read_line(f->srv, fd, line, sizeof(line));
	assert_string_equal(line, "{\"released\":true}");
	read_line(f->srv, fd, line, sizeof(line));
	assert_string_equal(line, "{\"echo\":\"after\"}");
	close(fd);
}

static void test_reader_that_never_reads(void **state)
{
	struct server_fixture *f = *state;
	char line[256], probe;
	int hog, other, rcvbuf = 4096;
	long long t0;

	if (!f->srv)
		skip();
	hog = client(f);
	setsockopt(hog, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	/* 64 KiB replies the hog never reads: past CTL_OUT_PAUSE it is read no more. */
	for (int i = 0; i < 100; i++) {
		send(hog, "big\n", 4, MSG_NOSIGNAL | MSG_DONTWAIT);
		pump(f->srv, 0);
	}
	other = client(f);
	assert_int_equal(send(other, "echo hi\n", 8, 0), 8);
	read_line(f->srv, other, line, sizeof(line));
	assert_string_equal(line, "{\"echo\":\"hi\"}");
	/* It is dropped once it stayed behind for CTL_STALL_MS. */
	t0 = 0;
	for (int ms = 0; ms < CTL_STALL_MS + 2000; ms += 100) {
		pump(f->srv, 100);
		if (recv(hog, &probe, 1, MSG_DONTWAIT | MSG_PEEK) == 0) {
			t0 = 1;
			break;
		}
		if (ms > CTL_STALL_MS + 500) {
			/* Past the deadline: what it left must drain to EOF. */
			while (recv(hog, line, sizeof(line), MSG_DONTWAIT) > 0)
				;
		}
	}
	assert_true(t0);
	close(hog);
	close(other);
}

static void test_idle_clients_make_room(void **state)
{
	struct server_fixture *f = *state;
	int idle[CTL_MAX_CLIENTS], fd;
	char line[256];

	if (!f->srv)
		skip();
	for (int i = 0; i < CTL_MAX_CLIENTS; i++) {
		idle[i] = client(f);
		pump(f->srv, 0);
	}
	fd = client(f);
	assert_int_equal(send(fd, "echo through\n", 13, 0), 13);
	read_line(f->srv, fd, line, sizeof(line));
	assert_string_equal(line, "{\"echo\":\"through\"}");
	for (int i = 0; i < CTL_MAX_CLIENTS; i++)
		close(idle[i]);
	close(fd);
}

static void test_nul_in_request(void **state)
{
	struct server_fixture *f = *state;
	char line[256];
	int fd;

	if (!f->srv)
		skip();
	fd = client(f);
	assert_int_equal(send(fd, "echo a\0b\n", 9, 0), 9);
	read_line(f->srv, fd, line, sizeof(line));
	assert_string_equal(line, "{\"v\":1,\"ok\":false,\"error\":\"request line holds a NUL byte\"}");
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_target_matching),
		cmocka_unit_test(test_target_errors),
		cmocka_unit_test(test_glob_kind),
		cmocka_unit_test(test_session_names),
	};
	const struct CMUnitTest server_tests[] = {
		cmocka_unit_test(test_pipelined_in_order),
		cmocka_unit_test(test_reader_that_never_reads),
		cmocka_unit_test(test_idle_clients_make_room),
		cmocka_unit_test(test_nul_in_request),
	};

	return cmocka_run_group_tests(tests, NULL, NULL) |
	       cmocka_run_group_tests(server_tests, server_up, server_down);
}

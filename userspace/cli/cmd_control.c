// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Commands that drive a running session over its control socket: set, off, status, wait,
 * reload. Each is one request line and one JSON reply line (docs/control.md). */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "control/control.h"
#include "cli/commands.h"
#include "util/json_scan.h"
#include "util/log.h"
#include "rules/rules.h"

#define EXIT_USAGE 2
#define REPLY_MAX (1 << 20)
#define REQUEST_TIMEOUT_MS 10000

struct ctl_opts {
	const char *session;
	double hits;
	double timeout_s;
	bool have_hits, have_timeout;
};

/* Options shared by the control commands; returns 0, or an exit status (-1: --help). */
static int parse_ctl_opts(int argc, char **argv, struct ctl_opts *o, bool wait, void (*usage)(FILE *))
{
	static const struct option longopts[] = {
		{ "session", required_argument, NULL, 's' }, { "json", no_argument, NULL, 'j' },
		{ "hits", required_argument, NULL, 'n' },    { "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },	     { NULL, 0, NULL, 0 },
	};
	int opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, wait ? "s:jn:t:h" : "s:jh", longopts, NULL)) != -1) {
		char *end;

		switch (opt) {
		case 's':
			o->session = optarg;
			break;
		case 'j':
			log_json = true;
			break;
		case 'n':
			o->hits = strtod(optarg, &end);
			if (*end || o->hits < 1 || o->hits != floor(o->hits) || o->hits > 1e15) {
				log_error("--hits: expected a positive integer, got '%s'", optarg);
				return EXIT_USAGE;
			}
			o->have_hits = true;
			break;
		case 't':
			o->timeout_s = strtod(optarg, &end);
			if (*end || !(o->timeout_s >= 0) || o->timeout_s > 86400 * 365) {
				log_error("--timeout: expected seconds (like 5 or 0.5), got '%s'", optarg);
				return EXIT_USAGE;
			}
			o->have_timeout = true;
			break;
		case 'h':
			usage(stdout);
			return -1;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	return 0;
}

/* Options, then at least one argument; returns -1 to go on, else the exit status. */
static int parse_with_args(int argc, char **argv, struct ctl_opts *o, void (*usage)(FILE *),
			   const char *missing)
{
	int ret = parse_ctl_opts(argc, argv, o, false, usage);

	if (ret)
		return ret < 0 ? 0 : ret;
	if (optind >= argc) {
		log_error("%s", missing);
		return EXIT_USAGE;
	}
	return -1;
}

/* Sends one request; prints the error of a failed reply. Returns 0 when ok. */
static int request(int fd, const char *line, char *reply, int timeout_ms)
{
	char err[1024];
	bool ok = false;

	if (ctl_request(fd, line, reply, REPLY_MAX, timeout_ms)) {
		log_error("control socket: %s", errno == ETIMEDOUT ? "the session did not answer" : strerror(errno));
		return -1;
	}
	if (!json_get_bool(reply, "ok", &ok)) {
		log_error("control socket: unexpected reply: %.200s", reply);
		return -1;
	}
	if (ok)
		return 0;
	if (log_json) {
		fprintf(stderr, "%s\n", reply);
		return 1;
	}
	if (!json_get_str(reply, "error", err, sizeof(err)))
		snprintf(err, sizeof(err), "request refused");
	log_error("%s", err);
	return 1;
}

/* Connects, sends each line, and stops at the first refusal. */
static int send_all(const struct ctl_opts *o, char **lines, int n, const char *cmd)
{
	char *reply = malloc(REPLY_MAX), line[CTL_LINE_MAX];
	int fd, code, ret = 0;

	if (!reply)
		return 1;
	fd = ctl_connect(o->session, &code);
	if (fd < 0) {
		free(reply);
		return code;
	}
	for (int i = 0; i < n && !ret; i++) {
		if (snprintf(line, sizeof(line), "%s %s", cmd, lines[i]) >= (int)sizeof(line) || strchr(lines[i], '\n')) {
			log_error("%s: argument %d is too long or spans lines", cmd, i + 1);
			ret = EXIT_USAGE;
			break;
		}
		switch (request(fd, line, reply, REQUEST_TIMEOUT_MS)) {
		case 0:
			if (log_json)
				printf("%s\n", reply);
			break;
		case 1:
			ret = EXIT_USAGE;
			if (i)
				fprintf(stderr, "fpbpf: %s: the %d argument(s) before it took effect\n", cmd, i);
			break;
		default:
			ret = 1;
		}
	}
	close(fd);
	free(reply);
	return ret;
}

void usage_set(FILE *f)
{
	fputs("Usage: fpbpf set [--session NAME] [--json] RULE...\n"
	      "Add rules to a running session, each replacing the rules already on its target\n"
	      "(fail-rs semantics); threads paused or sleeping on a replaced rule continue.\n"
	      "Rules are checked here first, then sent in order; on a refusal, the ones before\n"
	      "it stay. Same grammar as rule files (docs/rules.md).\n"
	      "  -s, --session NAME    the session (default: the only one running)\n"
	      "  -j, --json            print each reply (JSON)\n", f);
}

int do_set(int argc, char **argv)
{
	struct ctl_opts o = {};
	int ret = parse_with_args(argc, argv, &o, usage_set, "set: expected at least one rule (fpbpf set 'db_write=return(-5)')");

	if (ret >= 0)
		return ret;
	/* Syntax errors here, before any rule reaches the session. */
	for (int i = optind; i < argc; i++) {
		char err[1024], origin[32];
		struct rule r;

		snprintf(origin, sizeof(origin), "set arg %d", i - optind + 1);
		if (rule_parse(argv[i], origin, 1, &r, err, sizeof(err))) {
			log_error("%s", err);
			return EXIT_USAGE;
		}
	}
	return send_all(&o, argv + optind, argc - optind, "set");
}

void usage_off(FILE *f)
{
	fputs("Usage: fpbpf off [--session NAME] [--json] NAME...\n"
	      "Remove the rules on each failpoint (db_write, app:db_write, sys:openat) from a\n"
	      "running session; threads paused or sleeping on them continue at once.\n"
	      "  -s, --session NAME    the session (default: the only one running)\n", f);
}

int do_off(int argc, char **argv)
{
	struct ctl_opts o = {};
	int ret = parse_with_args(argc, argv, &o, usage_off, "off: expected at least one failpoint name");

	if (ret >= 0)
		return ret;
	return send_all(&o, argv + optind, argc - optind, "off");
}

void usage_reload(FILE *f)
{
	fputs("Usage: fpbpf reload [--session NAME] [--json]\n"
	      "Re-read a running session's rule files, like SIGHUP, but report errors here.\n"
	      "Unchanged rules keep their counters; a file with an error changes nothing.\n", f);
}

int do_reload(int argc, char **argv)
{
	struct ctl_opts o = {};
	char *none[] = { "" };
	int ret = parse_ctl_opts(argc, argv, &o, false, usage_reload);

	if (ret)
		return ret < 0 ? 0 : ret;
	if (optind < argc) {
		log_error("reload: unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	ret = send_all(&o, none, 1, "reload");
	return ret == EXIT_USAGE ? 1 : ret;
}

void usage_status(FILE *f)
{
	fputs("Usage: fpbpf status [--session NAME] [--json]\n"
	      "Show a running session's rules with live counters, and its target processes.\n"
	      "--json prints the session's reply as is (schema in docs/control.md).\n", f);
}

static void print_status(const char *reply)
{
	char session[CTL_NAME_LEN], delivery[16], text[512], where[300];
	double pid = 0, up = 0, injected = 0, max = 0, dropped = 0;
	const char *el = NULL;
	bool limit = false;

	json_get_str(reply, "session", session, sizeof(session));
	json_get_str(reply, "delivery", delivery, sizeof(delivery));
	json_get_num(reply, "pid", &pid);
	json_get_num(reply, "uptime", &up);
	json_get_num(reply, "injected", &injected);
	json_get_num(reply, "max_injections", &max);
	json_get_num(reply, "dropped", &dropped);
	json_get_bool(reply, "limit_reached", &limit);
	printf("session %s: controller pid %.0f, delivery %s, up %.1fs\ntargets:", session, pid, delivery, up);
	while ((el = json_array_next(reply, "targets", el)))
		printf(" %ld", strtol(el, NULL, 10));
	printf("\n  %-4s %-24s %10s %10s %10s  %s\n", "id", "rule", "evaluated", "matched", "injected", "text");
	el = NULL;
	while ((el = json_array_next(reply, "rules", el))) {
		double id = 0, ev = 0, ma = 0, in = 0;

		json_get_num(el, "id", &id);
		json_get_num(el, "evaluated", &ev);
		json_get_num(el, "matched", &ma);
		json_get_num(el, "injected", &in);
		json_get_str(el, "rule", where, sizeof(where));
		json_get_str(el, "text", text, sizeof(text));
		printf("  %-4.0f %-24s %10.0f %10.0f %10.0f  %s\n", id, where, ev, ma, in, text);
	}
	printf("injected: %.0f", injected);
	if (max)
		printf(" of at most %.0f%s", max, limit ? " (limit reached: every rule is off)" : "");
	printf(", dropped events: %.0f\n", dropped);
}

int do_status(int argc, char **argv)
{
	struct ctl_opts o = {};
	char *reply;
	int fd, code, ret = parse_ctl_opts(argc, argv, &o, false, usage_status);

	if (ret)
		return ret < 0 ? 0 : ret;
	if (optind < argc) {
		log_error("status: unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	fd = ctl_connect(o.session, &code);
	if (fd < 0)
		return code;
	reply = malloc(REPLY_MAX);
	ret = !reply || request(fd, "status", reply, REQUEST_TIMEOUT_MS) ? 1 : 0;
	if (!ret) {
		if (log_json)
			printf("%s\n", reply);
		else
			print_status(reply);
	}
	close(fd);
	free(reply);
	return ret;
}

void usage_wait(FILE *f)
{
	fputs("Usage: fpbpf wait [--session NAME] NAME --hits N --timeout S\n"
	      "Block until the rules on failpoint NAME have injected N times in total (exit 0),\n"
	      "or S seconds pass (exit 1), or the session ends (exit 1). Counts start when a\n"
	      "rule is set: replacing a rule starts again from 0.\n"
	      "  -n, --hits N          injections to wait for (default 1)\n"
	      "  -t, --timeout S       seconds, fractions allowed (required)\n"
	      "  -s, --session NAME    the session (default: the only one running)\n", f);
}

int do_wait(int argc, char **argv)
{
	struct ctl_opts o = { .hits = 1 };
	char line[CTL_LINE_MAX], err[1024], *reply;
	double injected = 0;
	int fd, code, ret = parse_ctl_opts(argc, argv, &o, true, usage_wait);
	long long timeout_ms;

	if (ret)
		return ret < 0 ? 0 : ret;
	if (optind + 1 != argc) {
		log_error("wait: expected one failpoint name (fpbpf wait db_write --hits 3 --timeout 10)");
		return EXIT_USAGE;
	}
	if (!o.have_timeout) {
		log_error("wait: --timeout S is required, so that a harness never hangs");
		return EXIT_USAGE;
	}
	timeout_ms = (long long)(o.timeout_s * 1000 + 0.5);
	if (snprintf(line, sizeof(line), "wait %s %.0f %lld", argv[optind], o.hits, timeout_ms) >= (int)sizeof(line) ||
	    strpbrk(argv[optind], " \t\n")) {
		log_error("wait: bad failpoint name '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	fd = ctl_connect(o.session, &code);
	if (fd < 0)
		return code;
	reply = malloc(REPLY_MAX);
	if (!reply) {
		close(fd);
		return 1;
	}
	/* The session enforces the timeout; ours only guards against a hung session. */
	if (ctl_request(fd, line, reply, REPLY_MAX, (int)(timeout_ms + REQUEST_TIMEOUT_MS))) {
		log_error("control socket: %s", errno == ETIMEDOUT ? "the session did not answer" : strerror(errno));
		ret = 1;
	} else {
		bool ok = false;
		/* A refused request carries no count; a timeout or an ended session does. */
		bool counted = json_get_num(reply, "injected", &injected);

		json_get_bool(reply, "ok", &ok);
		ret = ok ? 0 : counted ? 1 : EXIT_USAGE;
		if (!json_get_str(reply, "error", err, sizeof(err)))
			snprintf(err, sizeof(err), "unexpected reply: %.200s", reply);
		if (log_json)
			printf("%s\n", reply);
		else if (!ok && !strcmp(err, "timeout"))
			log_error("wait: %s: %.0f of %.0f injection(s) after %gs", argv[optind], injected, o.hits, o.timeout_s);
		else if (!ok)
			log_error("%s", err);
	}
	close(fd);
	free(reply);
	return ret;
}

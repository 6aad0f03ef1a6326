// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Commands that drive a running session over its control socket: set, off, status, wait,
 * reload. Each is one request line and one JSON reply line (docs/control.md); replies
 * are read with a real JSON parser, so any valid JSON a session sends is understood. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>
#include "cli/commands.h"
#include "control/ctl_client.h"
#include "control/ctl_proto.h"
#include "rules/rules.h"
#include "util/log.h"
#include "util/num.h"

#define REQUEST_TIMEOUT_MS 10000

enum { O_SESSION = 's', O_HITS = 'n', O_TIMEOUT = 't' };

struct ctl_cmd {
	const char *session;
	uint64_t hits;
	uint64_t timeout_ms;
	bool have_hits, have_timeout;
};

static int on_ctl_opt(void *state, int id, const char *arg)
{
	struct ctl_cmd *o = state;
	char err[256];

	switch (id) {
	case O_SESSION:
		if (!ctl_name_ok(arg, err, sizeof(err))) {
			log_error("%s", err);
			return EXIT_USAGE;
		}
		o->session = arg;
		return 0;
	case O_HITS:
		if (num_u64(arg, 1, UINT64_MAX, &o->hits)) {
			log_error("--hits: expected a whole number from 1 to %llu, got '%s'", (unsigned long long)UINT64_MAX, arg);
			return EXIT_USAGE;
		}
		o->have_hits = true;
		return 0;
	case O_TIMEOUT:
		if (num_fixed(arg, 3, 86400ULL * 365 * 1000, &o->timeout_ms)) {
			log_error("--timeout: expected seconds, at most a year, with at most 3 decimals (like 5 or 0.5), got '%s'", arg);
			return EXIT_USAGE;
		}
		o->have_timeout = true;
		return 0;
	}
	return EXIT_USAGE;
}

/* The exit status for a failed connection: asking which session is a usage error. */
static int connect_session(const struct ctl_cmd *o, int *fd)
{
	char err[1024];

	*fd = ctl_connect(o->session, err, sizeof(err));
	if (*fd >= 0)
		return 0;
	log_error("%s", err);
	return *fd == -ENOTUNIQ || *fd == -EINVAL ? EXIT_USAGE : EXIT_RUNTIME;
}

/* One request and its parsed reply (NULL with the reason logged). */
static json_t *request(int fd, const char *line, int timeout_ms, char **raw)
{
	json_error_t jerr;
	json_t *reply;
	int err = ctl_request(fd, line, raw, timeout_ms);

	if (err) {
		log_error("control socket: %s", err == -ETIMEDOUT ? "the session did not answer" : strerror(-err));
		return NULL;
	}
	reply = json_loads(*raw, 0, &jerr);
	if (!reply || !json_is_object(reply) || !json_is_boolean(json_object_get(reply, "ok"))) {
		log_error("control socket: unexpected reply: %.200s", *raw);
		json_decref(reply);
		return NULL;
	}
	return reply;
}

/* A refusal as the user sees it: the session's own message, or its JSON line. */
static void print_refusal(json_t *reply, const char *raw)
{
	const char *msg = json_string_value(json_object_get(reply, "error"));

	if (log_json)
		fprintf(stderr, "%s\n", raw);
	else
		log_error("%s", msg ? msg : "request refused");
}

/* Sends each argument as one request; stops at the first refusal. */
static int send_each(const struct ctl_cmd *o, const char *cmd, int argc, char **argv)
{
	char line[CTL_LINE_MAX];
	int fd, ret = connect_session(o, &fd);

	for (int i = 0; !ret && i < argc; i++) {
		char *raw = NULL;
		json_t *reply;

		if (snprintf(line, sizeof(line), "%s %s", cmd, argv[i]) >= (int)sizeof(line) || strchr(argv[i], '\n')) {
			log_error("%s: argument %d is too long or spans lines", cmd, i + 1);
			ret = EXIT_USAGE;
			break;
		}
		reply = request(fd, line, REQUEST_TIMEOUT_MS, &raw);
		if (!reply) {
			ret = EXIT_RUNTIME;
		} else if (json_is_true(json_object_get(reply, "ok"))) {
			if (log_json)
				printf("%s\n", raw);
		} else {
			print_refusal(reply, raw);
			ret = EXIT_USAGE;
			if (i)
				log_error("%s: the %d argument(s) before it took effect", cmd, i);
		}
		json_decref(reply);
		free(raw);
	}
	if (fd >= 0)
		close(fd);
	return ret;
}

static int run_set(void *state, int argc, char **argv)
{
	if (!argc) {
		log_error("set: expected at least one rule (fpbpf set 'db_write=return(-5)')");
		return EXIT_USAGE;
	}
	/* Syntax errors here, before any rule reaches the session; a ';' list (FAILPOINTS
	 * style) goes as one request per rule. */
	struct rule *r = calloc(FP_MAX_RULES, sizeof(*r));
	char *pieces[FP_MAX_RULES];
	int n = 0, ret = EXIT_RUNTIME;

	for (int i = 0; r && i < argc; i++) {
		struct rule_span spans[FP_MAX_RULES];
		char err[1024], origin[32];
		int got, nspans;

		snprintf(origin, sizeof(origin), "set arg %d", i + 1);
		got = rules_parse_line(argv[i], origin, 1, r, FP_MAX_RULES - n, err, sizeof(err));
		nspans = rules_split(argv[i], spans, FP_MAX_RULES);
		if (got < 0 || nspans < 0) {
			log_error("%s", got < 0 ? err : "set: too many rules");
			ret = EXIT_USAGE;
			goto out;
		}
		for (int k = 0; k < nspans; k++) {
			char *text = strndup(argv[i] + spans[k].start, spans[k].len);

			if (!text) {
				ret = EXIT_RUNTIME;
				goto out;
			}
			if (strspn(text, " \t") == strlen(text) || n == FP_MAX_RULES) {
				free(text);
				continue;
			}
			pieces[n++] = text;
		}
	}
	if (r)
		ret = send_each(state, "set", n, pieces);
out:
	for (int k = 0; k < n; k++)
		free(pieces[k]);
	free(r);
	return ret;
}

static int run_off(void *state, int argc, char **argv)
{
	if (!argc) {
		log_error("off: expected at least one failpoint name");
		return EXIT_USAGE;
	}
	return send_each(state, "off", argc, argv);
}

static int run_reload(void *state, int argc, char **argv)
{
	char *none[] = { "" };
	int ret;

	if (argc) {
		log_error("reload: unexpected argument '%s'", argv[0]);
		return EXIT_USAGE;
	}
	ret = send_each(state, "reload", 1, none);
	return ret == EXIT_USAGE ? EXIT_RUNTIME : ret;
}

static unsigned long long jnum(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return json_is_integer(v) ? (unsigned long long)json_integer_value(v) :
	       json_is_real(v) ? (unsigned long long)json_real_value(v) : 0;
}

static const char *jstr(json_t *obj, const char *key)
{
	const char *v = json_string_value(json_object_get(obj, key));

	return v ? v : "?";
}

static void print_status(json_t *d)
{
	json_t *v;
	size_t i;

	printf("session %s: controller pid %llu, delivery %s, up %.1fs\ntargets:", jstr(d, "session"),
	       jnum(d, "pid"), jstr(d, "delivery"), json_number_value(json_object_get(d, "uptime")));
	json_array_foreach(json_object_get(d, "targets"), i, v)
		printf(" %lld", (long long)json_integer_value(v));
	if (json_is_string(json_object_get(d, "binary")))
		printf(" (every process running %s)", jstr(d, "binary"));
	printf("\n  %-4s %-24s %-7s %10s %10s %10s  %s\n", "id", "rule", "backend", "evaluated", "matched", "injected", "text");
	json_array_foreach(json_object_get(d, "rules"), i, v)
		printf("  %-4llu %-24s %-7s %10llu %10llu %10llu  %s\n", jnum(v, "id"), jstr(v, "rule"), jstr(v, "backend"),
		       jnum(v, "evaluated"), jnum(v, "matched"), jnum(v, "injected"), jstr(v, "text"));
	printf("injected: %llu", jnum(d, "injected"));
	if (jnum(d, "max_injections"))
		printf(" of at most %llu%s", jnum(d, "max_injections"),
		       json_is_true(json_object_get(d, "limit_reached")) ? " (limit reached: every rule is off)" : "");
	printf(", dropped events: %llu\n", jnum(d, "dropped"));
}

static int run_status(void *state, int argc, char **argv)
{
	char *raw = NULL;
	json_t *reply;
	int fd, ret;

	if (argc) {
		log_error("status: unexpected argument '%s'", argv[0]);
		return EXIT_USAGE;
	}
	ret = connect_session(state, &fd);
	if (ret)
		return ret;
	reply = request(fd, "status", REQUEST_TIMEOUT_MS, &raw);
	if (!reply || !json_is_true(json_object_get(reply, "ok"))) {
		if (reply)
			print_refusal(reply, raw);
		ret = EXIT_RUNTIME;
	} else if (log_json) {
		printf("%s\n", raw);
	} else {
		print_status(reply);
	}
	json_decref(reply);
	free(raw);
	close(fd);
	return ret;
}

static int run_wait(void *state, int argc, char **argv)
{
	struct ctl_cmd *o = state;
	char line[CTL_LINE_MAX], *raw = NULL;
	json_t *reply;
	int fd, ret;

	if (argc != 1) {
		log_error("wait: expected one failpoint name (fpbpf wait db_write --hits 3 --timeout 10)");
		return EXIT_USAGE;
	}
	if (!o->have_timeout) {
		log_error("wait: --timeout S is required, so that a harness never hangs");
		return EXIT_USAGE;
	}
	if (snprintf(line, sizeof(line), "wait %s %llu %llu", argv[0], (unsigned long long)(o->have_hits ? o->hits : 1),
		     (unsigned long long)o->timeout_ms) >= (int)sizeof(line) || strpbrk(argv[0], " \t\n")) {
		log_error("wait: bad failpoint name '%s'", argv[0]);
		return EXIT_USAGE;
	}
	ret = connect_session(o, &fd);
	if (ret)
		return ret;
	/* The session enforces the timeout; ours only guards against a hung session. */
	reply = request(fd, line, (int)(o->timeout_ms + REQUEST_TIMEOUT_MS), &raw);
	if (!reply) {
		ret = EXIT_RUNTIME;
	} else if (json_is_true(json_object_get(reply, "ok"))) {
		if (log_json)
			printf("%s\n", raw);
	} else {
		/* A refused request carries no count; a timeout or an ended session does. */
		bool counted = json_object_get(reply, "injected") != NULL;

		ret = counted ? EXIT_RUNTIME : EXIT_USAGE;
		if (log_json)
			fprintf(stderr, "%s\n", raw);
		else if (!strcmp(jstr(reply, "error"), "timeout"))
			log_error("wait: %s: %llu of %llu injection(s) after %gs", argv[0], jnum(reply, "injected"),
				  (unsigned long long)(o->have_hits ? o->hits : 1), (double)o->timeout_ms / 1000);
		else
			log_error("%s", jstr(reply, "error"));
	}
	json_decref(reply);
	free(raw);
	close(fd);
	return ret;
}

#define SESSION_OPT { "session", 's', "NAME", "the session (default: the only one running)", O_SESSION }

static const struct opt ctl_opts[] = { SESSION_OPT, { NULL } };
static const struct opt wait_opts[] = {
	SESSION_OPT,
	{ "hits", 'n', "N", "injections to wait for (default 1)", O_HITS },
	{ "timeout", 't', "S", "seconds, with up to 3 decimals (required)", O_TIMEOUT },
	{ NULL },
};

#define CTL_CMD(NAME, SYN, SUM, DESCR, OPTS, RUN)                                          \
	{ .name = NAME, .synopsis = SYN, .summary = SUM, .descr = DESCR, .opts = OPTS,     \
	  .on_opt = on_ctl_opt, .run = RUN, .state_size = sizeof(struct ctl_cmd) }

const struct cmd cmd_set = CTL_CMD("set", "[OPTIONS] RULE...", "add or replace rules in a running session",
	"Add rules to a running session, each replacing the rules already on its target\n"
	"(fail-rs semantics); threads paused or sleeping on a replaced rule continue.\n"
	"Rules are checked here first, then sent in order; on a refusal (exit 2) the ones\n"
	"before it stay. Same grammar as rule files (docs/rules.md).", ctl_opts, run_set);
const struct cmd cmd_off = CTL_CMD("off", "[OPTIONS] NAME...", "remove the rules on failpoints of a running session",
	"Remove the rules on each failpoint (db_write, app:db_write, sys:openat) from a\n"
	"running session; threads paused or sleeping on them continue at once. Exit 2 when\n"
	"a failpoint has no rule.", ctl_opts, run_off);
const struct cmd cmd_status = CTL_CMD("status", "[OPTIONS]", "show a running session's rules and counters",
	"Show a running session's rules with live counters, its target processes and what\n"
	"it holds. --json prints the session's reply (schema in docs/control.md).", ctl_opts, run_status);
const struct cmd cmd_wait = CTL_CMD("wait", "[OPTIONS] NAME --hits N --timeout S",
	"wait until a failpoint has injected N times",
	"Block until the rules on failpoint NAME have injected N times in total (exit 0),\n"
	"or S seconds pass, or the session ends or reaches --max-injections (exit 1).\n"
	"Exit 2 when NAME has no rule. Counts start when a rule is set: replacing a rule\n"
	"starts again from 0.", wait_opts, run_wait);
const struct cmd cmd_reload = CTL_CMD("reload", "[OPTIONS]", "re-read a running session's rule files",
	"Re-read a running session's rule files, like SIGHUP, but report errors here (exit 1).\n"
	"Unchanged rules keep their counters; a file with an error changes nothing; rules\n"
	"read from a pipe were read once at start and stay.", ctl_opts, run_reload);

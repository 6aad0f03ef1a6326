// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Requests on the control socket: set, off, status, wait, reload (docs/control.md). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/log.h"
#include "session/session_int.h"

#define CTL_COMMANDS "set, off, status, wait, reload"

struct wait_req {
	struct rule key;
	char target[RULE_PATH_LEN + 2 * FP_NAME_LEN + 16];
	__u64 hits;
	long long deadline_ns;
};

/* {"v":1,"ok":false,"error":MSG,EXTRA} */
static void reply_error(struct ctl_client *c, const char *msg, const char *extra)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	if (!m)
		return;
	fputs("{\"v\":1,\"ok\":false,\"error\":", m);
	json_print_string(m, msg);
	fprintf(m, "%s}", extra ? extra : "");
	fclose(m);
	ctl_reply(c, buf);
	free(buf);
}

/* Injections so far on the target's rules, and how many rules it has. */
static __u64 injected_on(struct session *s, const struct rule *key, int *nrules)
{
	__u64 sum = 0;

	*nrules = 0;
	for (int i = 0; i < s->nslots; i++) {
		struct fp_rule_state st = {};

		if (!s->slots[i].live || !rule_target_matches(&s->rules[i], key))
			continue;
		injector__rule_state(s->inj, (__u32)i, &st);
		sum += st.injected;
		(*nrules)++;
	}
	return sum;
}

static void live_targets(struct session *s, char *out, size_t len)
{
	char target[RULE_PATH_LEN + 2 * FP_NAME_LEN + 16];
	size_t used = 0;
	int n = 0;

	out[0] = 0;
	for (int i = 0; i < s->nslots && n < 8; i++) {
		if (!s->slots[i].live)
			continue;
		rule_target_string(&s->rules[i], target, sizeof(target));
		used += (size_t)snprintf(out + used, used < len ? len - used : 0, "%s'%s'", n++ ? ", " : "", target);
	}
	if (!n)
		snprintf(out, len, "none");
}

static void do_set(struct session *s, struct ctl_client *c, const char *text)
{
	char err[1024], target[RULE_PATH_LEN + 2 * FP_NAME_LEN + 16], *reply = NULL;
	size_t len = 0;
	struct rule r;
	FILE *m;
	int rid;

	if (rule_parse(text, "set", (int)++s->ctl_seq, &r, err, sizeof(err))) {
		reply_error(c, err, NULL);
		return;
	}
	log_capture(err, sizeof(err));
	rid = session_set_rule(s, &r, SRC_CTL);
	log_capture(NULL, 0);
	if (rid < 0) {
		reply_error(c, err[0] ? err : "cannot set the rule", NULL);
		return;
	}
	rule_target_string(&r, target, sizeof(target));
	m = open_memstream(&reply, &len);
	if (m) {
		fprintf(m, "{\"v\":1,\"ok\":true,\"id\":%d,\"rule\":\"set:%u\",\"target\":", rid, s->ctl_seq);
		json_print_string(m, target);	/* a usdt: path may hold any character */
		fputc('}', m);
		fclose(m);
		ctl_reply(c, reply);
		free(reply);
	}
	print_notice(s, "control", "set %s", text);
}

static void do_off(struct session *s, struct ctl_client *c, const char *name)
{
	char err[1024], names[512], reply[128];
	struct rule key;
	int n;

	if (rule_parse_target(name, "off", &key, err, sizeof(err))) {
		reply_error(c, err, NULL);
		return;
	}
	n = session_off(s, &key);
	if (!n) {
		live_targets(s, names, sizeof(names));
		snprintf(err, sizeof(err), "off: no rule on '%s'; rules are on: %s", name, names);
		reply_error(c, err, NULL);
		return;
	}
	snprintf(reply, sizeof(reply), "{\"v\":1,\"ok\":true,\"removed\":%d}", n);
	ctl_reply(c, reply);
	print_notice(s, "control", "off %s (%d rule(s) removed)", name, n);
}

static void check_wait(void *ctx, struct ctl_client *c)
{
	struct session *s = ctx;
	struct wait_req *w = c->data;
	char reply[256];
	int nrules;
	__u64 got;

	if (!w)
		return;
	got = injected_on(s, &w->key, &nrules);
	snprintf(reply, sizeof(reply), ",\"injected\":%" PRIu64, (uint64_t)got);
	if (got >= w->hits) {
		snprintf(reply, sizeof(reply), "{\"v\":1,\"ok\":true,\"injected\":%" PRIu64 "}", (uint64_t)got);
		ctl_reply(c, reply);
	} else if (s->limit_reached) {
		reply_error(c, "the session reached --max-injections: nothing more will be injected", reply);
	} else if (now_ns() >= w->deadline_ns) {
		reply_error(c, "timeout", reply);
	}
}

static void do_wait(struct session *s, struct ctl_client *c, char *args)
{
	char *target = strtok(args, " \t"), *hits = strtok(NULL, " \t"), *ms = strtok(NULL, " \t"), *end;
	char err[1024], names[512];
	struct wait_req *w;
	unsigned long long h, t;
	int nrules;

	if (!target || !hits || !ms || strtok(NULL, " \t")) {
		reply_error(c, "wait: expected 'wait TARGET HITS TIMEOUT_MS'", NULL);
		return;
	}
	h = strtoull(hits, &end, 10);
	if (*end || !h || hits[0] == '-') {
		reply_error(c, "wait: HITS must be a positive integer", NULL);
		return;
	}
	t = strtoull(ms, &end, 10);
	if (*end || ms[0] == '-' || t > 86400000ULL * 365) {
		reply_error(c, "wait: TIMEOUT_MS must be a number of milliseconds", NULL);
		return;
	}
	w = calloc(1, sizeof(*w));
	if (!w)
		return;
	if (rule_parse_target(target, "wait", &w->key, err, sizeof(err))) {
		reply_error(c, err, NULL);
		free(w);
		return;
	}
	injected_on(s, &w->key, &nrules);
	if (!nrules) {
		live_targets(s, names, sizeof(names));
		snprintf(err, sizeof(err), "wait: no rule on '%s'; rules are on: %s", target, names);
		reply_error(c, err, NULL);
		free(w);
		return;
	}
	w->hits = h;
	w->deadline_ns = now_ns() + (long long)t * 1000000LL;
	c->data = w;
	c->deferred = true;
	check_wait(s, c);
}

static void do_reload(struct session *s, struct ctl_client *c)
{
	char err[1024], reply[128];
	int n;

	log_capture(err, sizeof(err));
	n = session_reload(s);
	log_capture(NULL, 0);
	if (n < 0) {
		reply_error(c, err[0] ? err : "reload failed", NULL);
		print_notice(s, "reload", "reload failed, rules unchanged: %s", err);
		return;
	}
	snprintf(reply, sizeof(reply), "{\"v\":1,\"ok\":true,\"changed\":%d}", n);
	ctl_reply(c, reply);
	print_notice(s, "reload", "rule files re-read: %d rule(s) changed", n);
}

void session_control_line(void *ctx, struct ctl_client *c, char *line)
{
	struct session *s = ctx;
	char *cmd = line + strspn(line, " \t"), *rest;
	size_t len = strcspn(cmd, " \t");

	rest = cmd + len;
	if (*rest)
		*rest++ = 0;
	rest += strspn(rest, " \t");
	if (!cmd[0])
		return;	/* blank lines keep a connection alive */
	if (!strcmp(cmd, "set") && rest[0])
		do_set(s, c, rest);
	else if (!strcmp(cmd, "off") && rest[0])
		do_off(s, c, rest);
	else if (!strcmp(cmd, "status") && !rest[0]) {
		char *json = status_json(s);

		if (json)
			ctl_reply(c, json);
		free(json);
	} else if (!strcmp(cmd, "wait"))
		do_wait(s, c, rest);
	else if (!strcmp(cmd, "reload") && !rest[0])
		do_reload(s, c);
	else if (!strcmp(cmd, "set") || !strcmp(cmd, "off"))
		reply_error(c, !strcmp(cmd, "set") ? "set: expected a rule" : "off: expected a failpoint name", NULL);
	else {
		char err[256];

		snprintf(err, sizeof(err), "unknown command '%.64s'%s, expected one of " CTL_COMMANDS, cmd,
			 rest[0] && (!strcmp(cmd, "status") || !strcmp(cmd, "reload")) ? " with arguments" : "");
		reply_error(c, err, NULL);
	}
}

static void end_wait(void *ctx, struct ctl_client *c)
{
	struct session *s = ctx;
	struct wait_req *w = c->data;
	char extra[64];
	int nrules;

	snprintf(extra, sizeof(extra), ",\"injected\":%" PRIu64, w ? (uint64_t)injected_on(s, &w->key, &nrules) : 0);
	reply_error(c, "the session ended", extra);
}

void session_control_tick(struct session *s, bool ending)
{
	ctl_server_each_deferred(s->ctl, check_wait, s);
	if (ending)
		ctl_server_each_deferred(s->ctl, end_wait, s);
}

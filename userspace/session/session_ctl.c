// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The session's answers to control requests: set, off, status, wait, reload. Each
 * request is one line; each answer one JSON object (docs/control.md). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "session/session_int.h"
#include "util/json_writer.h"
#include "util/log.h"
#include "util/num.h"

#define CTL_COMMANDS "set, off, status, wait, reload"
#define TARGET_LEN (RULE_PATH_LEN + 2 * FP_NAME_LEN + 16)

struct wait_req {
	struct rule key;
	__u64 hits;
	long long deadline_ns;
};

/* A reply built with the writer: begin, add fields, send. */
struct reply {
	char *buf;
	size_t len;
	FILE *m;
	struct jw *w;
};

static bool reply_begin(struct reply *r, bool ok)
{
	memset(r, 0, sizeof(*r));
	r->m = open_memstream(&r->buf, &r->len);
	r->w = r->m ? jw_record(r->m, NULL) : NULL;
	if (!r->w)
		return false;
	jw_kbool(r->w, "ok", ok);
	return true;
}

static void reply_send(struct reply *r, struct ctl_client *c)
{
	if (!r->w) {
		if (r->m)
			fclose(r->m);
		free(r->buf);
		return;
	}
	jw_record_end(r->w);
	fclose(r->m);
	if (r->len && r->buf[r->len - 1] == '\n')
		r->buf[r->len - 1] = 0;
	ctl_reply(c, r->buf);
	free(r->buf);
}

static void reply_error(struct ctl_client *c, const char *msg, const __u64 *injected)
{
	struct reply r;

	if (reply_begin(&r, false)) {
		jw_kstr(r.w, "error", msg);
		if (injected)
			jw_kuint(r.w, "injected", *injected);
	}
	reply_send(&r, c);
}

/* Injections so far on the target's rules, and how many live rules it has. */
static __u64 injected_on(struct session *s, const struct rule *key, int *nrules)
{
	__u64 sum = 0;

	*nrules = 0;
	for (int i = 0; i < rule_table__bound(s->rules); i++) {
		struct fp_rule_state st = {};

		if (!rule_table__live(s->rules, i) || !rule_target_matches(rule_table__get(s->rules, i), key))
			continue;
		injector__rule_state(s->inj, (__u32)i, &st);
		sum += st.injected;
		(*nrules)++;
	}
	return sum;
}

static void live_targets(struct session *s, char *out, size_t len)
{
	char target[TARGET_LEN];
	size_t used = 0;
	int n = 0;

	out[0] = 0;
	for (int i = 0; i < rule_table__bound(s->rules) && n < 8; i++) {
		if (!rule_table__live(s->rules, i))
			continue;
		rule_target_string(rule_table__get(s->rules, i), target, sizeof(target));
		used += (size_t)snprintf(out + used, used < len ? len - used : 0, "%s'%s'", n++ ? ", " : "", target);
	}
	if (!n)
		snprintf(out, len, "none");
}

static void do_set(struct session *s, struct ctl_client *c, const char *text)
{
	char err[1024], target[TARGET_LEN], origin[32];
	struct reply r;
	struct rule rule;
	int rid;

	if (rule_parse(text, "set", (int)++s->ctl_seq, &rule, err, sizeof(err))) {
		reply_error(c, err, NULL);
		return;
	}
	log_capture(err, sizeof(err));
	rid = session_set_rule(s, &rule, SRC_CTL);
	log_capture(NULL, 0);
	if (rid < 0) {
		reply_error(c, err[0] ? err : "cannot set the rule", NULL);
		return;
	}
	rule_target_string(&rule, target, sizeof(target));
	snprintf(origin, sizeof(origin), "set:%u", s->ctl_seq);
	if (reply_begin(&r, true)) {
		jw_kint(r.w, "id", rid);
		jw_kstr(r.w, "rule", origin);
		jw_kstr(r.w, "target", target);
	}
	reply_send(&r, c);
	events_out__notice(&s->out, "control", "set %s", text);
}

static void do_off(struct session *s, struct ctl_client *c, const char *name)
{
	char err[1024], names[512];
	struct rule key;
	struct reply r;
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
	if (reply_begin(&r, true))
		jw_kint(r.w, "removed", n);
	reply_send(&r, c);
	events_out__notice(&s->out, "control", "off %s (%d rule(s) removed)", name, n);
}

static void check_wait(void *ctx, struct ctl_client *c)
{
	struct session *s = ctx;
	struct wait_req *w = ctl_deferred_data(c);
	struct reply r;
	int nrules;
	__u64 got;

	if (!w)
		return;
	got = injected_on(s, &w->key, &nrules);
	if (got >= w->hits) {
		if (reply_begin(&r, true))
			jw_kuint(r.w, "injected", got);
		reply_send(&r, c);
	} else if (s->limit_reached) {
		reply_error(c, "the session reached --max-injections: nothing more will be injected", &got);
	} else if (now_ns() >= w->deadline_ns) {
		reply_error(c, "timeout", &got);
	}
}

static int parse_wait(char *args, struct wait_req *w, char *err, size_t errlen)
{
	char *save = NULL, *target = strtok_r(args, " \t", &save), *hits = strtok_r(NULL, " \t", &save);
	char *ms = strtok_r(NULL, " \t", &save);
	uint64_t t, n;

	if (!target || !hits || !ms || strtok_r(NULL, " \t", &save)) {
		snprintf(err, errlen, "wait: expected 'wait TARGET HITS TIMEOUT_MS'");
		return -1;
	}
	if (num_u64(hits, 1, UINT64_MAX, &n)) {
		snprintf(err, errlen, "wait: HITS must be a whole number from 1 to %llu, got '%.32s'",
			 (unsigned long long)UINT64_MAX, hits);
		return -1;
	}
	w->hits = n;
	if (num_u64(ms, 0, 86400000ULL * 365, &t)) {
		snprintf(err, errlen, "wait: TIMEOUT_MS must be milliseconds, at most a year, got '%.32s'", ms);
		return -1;
	}
	w->deadline_ns = now_ns() + (long long)t * 1000000LL;
	return rule_parse_target(target, "wait", &w->key, err, errlen);
}

static void do_wait(struct session *s, struct ctl_client *c, char *args)
{
	char err[1024], names[512], target[TARGET_LEN];
	struct wait_req *w = calloc(1, sizeof(*w));
	int nrules;

	if (!w) {
		reply_error(c, "out of memory", NULL);
		return;
	}
	if (parse_wait(args, w, err, sizeof(err))) {
		reply_error(c, err, NULL);
		free(w);
		return;
	}
	injected_on(s, &w->key, &nrules);
	if (!nrules) {
		live_targets(s, names, sizeof(names));
		rule_target_string(&w->key, target, sizeof(target));
		snprintf(err, sizeof(err), "wait: no rule on '%s'; rules are on: %s", target, names);
		reply_error(c, err, NULL);
		free(w);
		return;
	}
	ctl_defer(c, w);
	check_wait(s, c);
}

static void do_reload(struct session *s, struct ctl_client *c)
{
	char err[1024];
	struct reply r;
	int n, once = 0;

	log_capture(err, sizeof(err));
	n = session_reload(s, &once);
	log_capture(NULL, 0);
	if (n < 0) {
		reply_error(c, err[0] ? err : "reload failed", NULL);
		events_out__notice(&s->out, "reload", "reload failed, rules unchanged: %s", err);
		return;
	}
	if (reply_begin(&r, true)) {
		jw_kint(r.w, "changed", n);
		jw_kint(r.w, "kept_from_pipes", once);
	}
	reply_send(&r, c);
	events_out__notice(&s->out, "reload", "rule files re-read: %d rule(s) changed%s", n,
			   once ? "; rules from pipes were read once at start and stay" : "");
}

static void do_status(struct session *s, struct ctl_client *c)
{
	char *json = session_status_json(s);

	if (json)
		ctl_reply(c, json);
	else
		reply_error(c, "out of memory", NULL);
	free(json);
}

void session_ctl_line(void *ctx, struct ctl_client *c, char *line)
{
	struct session *s = ctx;
	char *cmd = line + strspn(line, " \t"), *rest, err[256];
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
	else if (!strcmp(cmd, "status") && !rest[0])
		do_status(s, c);
	else if (!strcmp(cmd, "wait"))
		do_wait(s, c, rest);
	else if (!strcmp(cmd, "reload") && !rest[0])
		do_reload(s, c);
	else if (!strcmp(cmd, "set") || !strcmp(cmd, "off"))
		reply_error(c, !strcmp(cmd, "set") ? "set: expected a rule" : "off: expected a failpoint name", NULL);
	else {
		snprintf(err, sizeof(err), "unknown command '%.64s'%s, expected one of " CTL_COMMANDS, cmd,
			 rest[0] && (!strcmp(cmd, "status") || !strcmp(cmd, "reload")) ? " with arguments" : "");
		reply_error(c, err, NULL);
	}
}

static void end_wait(void *ctx, struct ctl_client *c)
{
	struct session *s = ctx;
	struct wait_req *w = ctl_deferred_data(c);
	int nrules;
	__u64 got = w ? injected_on(s, &w->key, &nrules) : 0;

	reply_error(c, "the session ended", &got);
}

void session_ctl_tick(struct session *s, bool ending)
{
	ctl_server_each_deferred(s->ctl, check_wait, s);
	if (ending)
		ctl_server_each_deferred(s->ctl, end_wait, s);
}

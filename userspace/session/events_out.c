// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include "engine/sys_backend.h"
#include "rules/names.h"
#include "rules/rules.h"
#include "session/events_out.h"
#include "session/probe_table.h"
#include "util/json_writer.h"
#include "util/log.h"

long long events_out__now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void events_out__check(struct events_out *o)
{
	if (o->write_error || !ferror(o->f))
		return;
	o->write_error = errno ? errno : EIO;
	log_error("cannot write events: %s (the session goes on; fpbpf will exit 1)", strerror(o->write_error));
}

static void emit(struct events_out *o, struct rec *r)
{
	if (o->json)
		rec_print_json(r, o->f);
	else
		rec_print_text(r, o->f, NULL);
	events_out__check(o);
}

static void head(struct events_out *o, struct rec *r, const char *type, long long ts_ns)
{
	rec_init(r);
	rec_int(r, "v", 1, REC_JSON_ONLY);
	rec_double(r, "time", (double)(ts_ns - o->t0_ns) / 1e9, 6, REC_BARE);
	rec_str(r, "type", type, REC_BARE);
}

/* The value an action carries, as the user wrote it: -5 (EIO), SIGUSR1, 250ms. */
static void add_value(struct rec *r, const struct rule_term *t)
{
	char text[96];

	switch (t->action) {
	case RA_ERROR:
		snprintf(text, sizeof(text), "%" PRId64 " (%s)", t->value,
			 errno_name((int)-t->value) ? errno_name((int)-t->value) : "?");
		rec_str(r, "", text, REC_TEXT_ONLY);
		rec_int(r, "value", t->value, REC_JSON_ONLY);
		break;
	case RA_SIGNAL:
		rec_str(r, "", signal_name((int)t->value) ? signal_name((int)t->value) : "?", REC_TEXT_ONLY);
		rec_int(r, "value", t->value, REC_JSON_ONLY);
		break;
	case RA_RETURN:
	case RA_EXIT:
		rec_int(r, "value", t->value, REC_BARE);
		break;
	case RA_SLEEP:
	case RA_DELAY:
		snprintf(text, sizeof(text), "%ums", t->arg);
		rec_str(r, "", text, REC_TEXT_ONLY);
		rec_uint(r, "ms", t->arg, REC_JSON_ONLY);
		break;
	default:
		break;
	}
	if (t->msg[0])
		rec_str(r, "message", t->msg, REC_BARE);
}

/* The arguments a sys: rule filtered on, as they were in the call: fd=3 path="/x". */
static void add_call_args(struct rec *r, const struct rule *rule, const struct fp_event *e)
{
	char str[sizeof(e->str) + 1];
	bool any = false;

	for (int i = 0; rule && rule->kind == TARGET_SYS && i < FP_MAX_ARGS; i++)
		any |= rule->args[i].kind != FP_ARG_ANY;
	if (!any)
		return;
	memcpy(str, e->str, sizeof(e->str));
	str[sizeof(e->str)] = 0;
	rec_group(r, "args");
	for (int i = 0; i < FP_MAX_ARGS; i++) {
		if (rule->args[i].kind == FP_ARG_STR_GLOB)
			rec_str(r, rule->arg_names[i], str, REC_QUOTED);
		else if (rule->args[i].kind != FP_ARG_ANY)
			rec_int(r, rule->arg_names[i], (long long)e->args[i], REC_KV);
	}
	rec_group_end(r);
}

void events_out__hit(struct events_out *o, const char *type, const struct fp_event *e,
		     const struct probe_info *p, const struct rule *r)
{
	const struct rule_term *t = r && e->term < (__u32)r->nterms ? &r->terms[e->term] : NULL;
	bool eval = !strcmp(type, "eval");
	char where[RULE_PATH_LEN + 16], site[2 * 64 + 2];
	struct rec rec;

	head(o, &rec, type, (long long)e->ts_ns);
	snprintf(site, sizeof(site), "%s:%s", p ? p->provider : "?", p ? p->name : "?");
	rec_str(&rec, "", site, REC_TEXT_ONLY);
	rec_uint(&rec, "pid", e->pid, REC_KV);
	rec_uint(&rec, "tid", e->tid, REC_KV);
	rec_str(&rec, "comm", e->comm, REC_KV);
	rec_str(&rec, "provider", p ? p->provider : "?", REC_JSON_ONLY);
	rec_str(&rec, "failpoint", p ? p->name : "?", REC_JSON_ONLY);
	if (p && p->backend)
		rec_str(&rec, "backend", p->backend->name, REC_JSON_ONLY);
	snprintf(where, sizeof(where), "%s:%d", r ? r->origin : "?", r ? r->line : 0);
	rec_str(&rec, "rule", r ? where : NULL, REC_KV);
	rec_uint(&rec, "term", e->term, REC_JSON_ONLY);
	rec_uint(&rec, "hit", e->nth, REC_KV);
	rec_str(&rec, "action", t && !eval ? rule_action_name(t->action) : "none", REC_KV);
	if (t && !eval)
		add_value(&rec, t);
	add_call_args(&rec, r, e);
	emit(o, &rec);
	o->count++;
}

void events_out__target(struct events_out *o, const struct fp_event *e)
{
	const char *type = e->kind == FP_REQ_FORK ? "fork" : e->kind == FP_REQ_EXEC ? "exec" : "exit";
	char str[sizeof(e->str) + 1];
	struct rec rec;

	head(o, &rec, type, (long long)e->ts_ns);
	rec_uint(&rec, "pid", e->pid, REC_KV);
	rec_str(&rec, "comm", e->comm, REC_KV);
	if (e->kind == FP_REQ_FORK) {
		rec_uint(&rec, "parent", e->parent, REC_KV);
	} else if (e->kind == FP_REQ_EXEC) {
		memcpy(str, e->str, sizeof(e->str));
		str[sizeof(e->str)] = 0;
		rec_str(&rec, "file", str, REC_KV);
	} else if (WIFSIGNALED(e->status)) {
		const char *name = signal_name(WTERMSIG(e->status));

		rec_int(&rec, "signal", WTERMSIG(e->status), REC_JSON_ONLY);
		rec_str(&rec, "signal", name ? name : "?", REC_TEXT_ONLY);
	} else {
		rec_int(&rec, "code", WEXITSTATUS(e->status), REC_KV);
	}
	emit(o, &rec);
}

void events_out__notice(struct events_out *o, const char *type, const char *fmt, ...)
{
	char msg[512];
	struct rec rec;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (o->json) {
		head(o, &rec, type, events_out__now_ns());
		rec_str(&rec, "message", msg, REC_BARE);
		rec_print_json(&rec, o->f);
		events_out__check(o);
		return;
	}
	/* On the terminal: notices are for whoever runs fpbpf, wherever events go. */
	fprintf(stderr, "fpbpf: %s\n", msg);
}

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* What a session prints: events, target changes, notices, the summary and status.
 * JSON lines carry "v":1; the schema is documented in docs/control.md. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "util/log.h"
#include "rules/names.h"
#include "session/session_int.h"

static const struct probe_ref *probe_of(const struct session *s, __u32 id)
{
	return id < (__u32)s->nprobes ? &s->probes[id] : NULL;
}

/* The arguments a sys: rule filtered on, as they were in the call: fd=3 path="/x". */
static void format_call_args(const struct rule *r, const struct fp_event *e, bool json, char *out, size_t len)
{
	size_t used = 0;

	out[0] = 0;
	for (int i = 0; r && r->kind == TARGET_SYS && i < FP_MAX_ARGS; i++) {
		const char *sep = used ? (json ? "," : " ") : "";

		if (r->args[i].kind == FP_ARG_ANY)
			continue;
		if (r->args[i].kind == FP_ARG_STR_GLOB) {
			char esc[FP_GLOB_LEN * 2 + 1];
			size_t k = 0;

			for (size_t c = 0; c < sizeof(e->str) && e->str[c]; c++) {
				if (e->str[c] == '"' || e->str[c] == '\\')
					esc[k++] = '\\';
				esc[k++] = (unsigned char)e->str[c] < 0x20 ? '?' : e->str[c];
			}
			esc[k] = 0;
			used += (size_t)snprintf(out + used, used < len ? len - used : 0, json ? "%s\"%s\":\"%s\"" : "%s%s=\"%s\"",
						 sep, r->arg_names[i], esc);
		} else {
			used += (size_t)snprintf(out + used, used < len ? len - used : 0, json ? "%s\"%s\":%lld" : "%s%s=%lld",
						 sep, r->arg_names[i], (long long)e->args[i]);
		}
	}
}

void print_event(struct session *s, const struct fp_event *e, const char *type)
{
	const struct session_opts *o = s->o;
	const struct probe_ref *p = probe_of(s, e->probe);
	const struct rule *r = e->rule < (__u32)s->nslots && s->slots[e->rule].used ? &s->rules[e->rule] : NULL;
	const struct rule_term *t = r && e->term < (__u32)r->nterms ? &r->terms[e->term] : NULL;
	double ts = (double)((long long)e->ts_ns - s->t0_ns) / 1e9;
	const char *action = t && strcmp(type, "eval") ? rule_action_name(t->action) : "none";
	char value[64] = "", args[512];

	if (t && strcmp(type, "eval")) {
		if (t->action == RA_ERROR)
			snprintf(value, sizeof(value), "%" PRId64 " (%s)", t->value,
				 errno_name((int)-t->value) ? errno_name((int)-t->value) : "?");
		else if (t->action == RA_SIGNAL)
			snprintf(value, sizeof(value), "%s", signal_name((int)t->value) ? signal_name((int)t->value) : "?");
		else if (t->action == RA_SLEEP || t->action == RA_DELAY)
			snprintf(value, sizeof(value), "%ums", t->arg);
		else if (t->action == RA_RETURN || t->action == RA_EXIT)
			snprintf(value, sizeof(value), "%" PRId64, t->value);
		else if (t->msg[0])
			snprintf(value, sizeof(value), "%s", t->msg);
	}
	s->events++;
	if (o->json) {
		fprintf(o->out, "{\"v\":1,\"type\":\"%s\",\"time\":%.6f,\"pid\":%u,\"tid\":%u,\"comm\":",
			type, ts, e->pid, e->tid);
		json_print_string(o->out, e->comm);
		fprintf(o->out, ",\"provider\":\"%s\",\"failpoint\":\"%s\",\"rule\":", p ? p->provider : "?",
			p ? p->name : "?");
		if (r) {
			char where[300];

			snprintf(where, sizeof(where), "%s:%d", r->origin, r->line);
			json_print_string(o->out, where);
		} else {
			fputs("null", o->out);
		}
		fprintf(o->out, ",\"term\":%u,\"hit\":%" PRIu64 ",\"action\":\"%s\"", e->term, (uint64_t)e->hit, action);
		if (t && (t->action == RA_RETURN || t->action == RA_ERROR || t->action == RA_EXIT || t->action == RA_SIGNAL))
			fprintf(o->out, ",\"value\":%" PRId64, t->value);
		if (t && (t->action == RA_SLEEP || t->action == RA_DELAY))
			fprintf(o->out, ",\"ms\":%u", t->arg);
		if (t && t->msg[0]) {
			fputs(",\"message\":", o->out);
			json_print_string(o->out, t->msg);
		}
		format_call_args(r, e, true, args, sizeof(args));
		if (args[0])
			fprintf(o->out, ",\"args\":{%s}", args);
		fputs("}\n", o->out);
	} else {
		format_call_args(r, e, false, args, sizeof(args));
		fprintf(o->out, "%12.6f %-6s %s:%s pid=%u tid=%u comm=%s rule=%s:%d hit=%" PRIu64 " action=%s%s%s%s%s\n",
			ts, type, p ? p->provider : "?", p ? p->name : "?", e->pid, e->tid, e->comm,
			r ? r->origin : "?", r ? r->line : 0, (uint64_t)e->hit, action, value[0] ? " " : "", value,
			args[0] ? " " : "", args);
	}
	fflush(o->out);
}

static void rule_counts(struct session *s, int rid, struct fp_rule_state *st)
{
	memset(st, 0, sizeof(*st));
	injector__rule_state(s->inj, (__u32)rid, st);
}

/* One rule as the summary and `status` both show it. */
static void json_rule(FILE *m, struct session *s, int i)
{
	struct fp_rule_state st;
	char target[RULE_PATH_LEN + 2 * FP_NAME_LEN + 16], where[RULE_PATH_LEN + 16];

	rule_counts(s, i, &st);
	rule_target_string(&s->rules[i], target, sizeof(target));
	snprintf(where, sizeof(where), "%s:%d", s->rules[i].origin, s->rules[i].line);
	fprintf(m, "{\"id\":%d,\"rule\":", i);
	json_print_string(m, where);
	fputs(",\"target\":", m);
	json_print_string(m, target);
	fputs(",\"text\":", m);
	json_print_string(m, s->rules[i].text);
	fprintf(m, ",\"source\":\"%s\",\"active\":%s,\"evaluated\":%llu,\"matched\":%llu,\"injected\":%llu}",
		s->slots[i].src == SRC_FILE ? "file" : s->slots[i].src == SRC_INLINE ? "inline" : "control",
		s->slots[i].live ? "true" : "false", (unsigned long long)st.evaluated,
		(unsigned long long)st.matched, (unsigned long long)st.injected);
}

void print_summary(struct session *s)
{
	const struct session_opts *o = s->o;
	__u64 dropped = injector__dropped(s->inj);
	bool first = true;

	if (o->json) {
		fputs("{\"v\":1,\"type\":\"summary\",\"rules\":[", o->out);
		for (int i = 0; i < s->nslots; i++) {
			if (!s->slots[i].used)
				continue;
			if (!first)
				fputc(',', o->out);
			json_rule(o->out, s, i);
			first = false;
		}
		fprintf(o->out, "],\"injected\":%llu,\"dropped\":%llu}\n",
			(unsigned long long)injector__total_injected(s->inj), (unsigned long long)dropped);
		fflush(o->out);
		return;
	}
	fprintf(o->out, "fpbpf: summary\n  %-40s %10s %10s %10s\n", "rule", "evaluated", "matched", "injected");
	for (int i = 0; i < s->nslots; i++) {
		struct fp_rule_state st;
		char where[RULE_PATH_LEN + FP_NAME_LEN + 16];

		if (!s->slots[i].used)
			continue;
		rule_counts(s, i, &st);
		snprintf(where, sizeof(where), "%s:%d %s", s->rules[i].origin, s->rules[i].line, s->rules[i].name);
		fprintf(o->out, "  %-40s %10llu %10llu %10llu%s%s\n", where, (unsigned long long)st.evaluated,
			(unsigned long long)st.matched, (unsigned long long)st.injected,
			st.evaluated ? "" : "  (never hit)", s->slots[i].live ? "" : "  (off)");
	}
	fprintf(o->out, "  events: %llu, dropped: %llu%s\n", (unsigned long long)s->events,
		(unsigned long long)dropped, dropped ? " (ring buffer full: lower event volume or drop -v)" : "");
	fflush(o->out);
}

void print_session_line(struct session *s, pid_t target)
{
	const char *delivery = injector__direct_write(s->inj)
		? "direct write (bpf_probe_write_user)"
		: "stop-and-write (bpf_probe_write_user unavailable: the process briefly stops on each injection)";
	int live = 0;

	for (int i = 0; i < s->nslots; i++)
		live += s->slots[i].live;
	if (s->o->json) {
		fprintf(s->o->out, "{\"v\":1,\"type\":\"session\",\"session\":\"%s\",\"socket\":", s->name);
		json_print_string(s->o->out, ctl_server_path(s->ctl));
		fprintf(s->o->out, ",\"delivery\":\"%s\",\"probes\":%d,\"rules\":%d,\"pid\":%d}\n",
			injector__direct_write(s->inj) ? "write" : "stop", s->nprobes, live, target);
		fflush(s->o->out);
	}
	fprintf(stderr, "fpbpf: delivery: %s; %d rule(s) on %d probe(s); session %s\n", delivery, live,
		s->nprobes, s->name);
}

/* Lines that are not hits: target changes, limits, reloads. */
void print_notice(struct session *s, const char *type, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (s->o->json) {
		fprintf(s->o->out, "{\"v\":1,\"type\":\"%s\",\"time\":%.6f,\"message\":", type,
			(double)(now_ns() - s->t0_ns) / 1e9);
		json_print_string(s->o->out, msg);
		fputs("}\n", s->o->out);
		fflush(s->o->out);
	}
	if (!s->o->json || s->o->out != stderr)
		fprintf(stderr, "fpbpf: %s\n", msg);
}

void print_target_event(struct session *s, const struct fp_event *e)
{
	FILE *out = s->o->out;
	double ts = (double)((long long)e->ts_ns - s->t0_ns) / 1e9;
	int status = (int)e->hit;
	char str[sizeof(e->str) + 1];

	memcpy(str, e->str, sizeof(e->str));
	str[sizeof(e->str)] = 0;
	if (!s->o->json) {
		if (e->kind == FP_EV_FORK)
			fprintf(out, "%12.6f fork   pid=%u parent=%llu comm=%s\n", ts, e->pid, (unsigned long long)e->hit, e->comm);
		else if (e->kind == FP_EV_EXEC)
			fprintf(out, "%12.6f exec   pid=%u comm=%s file=%s (probes in other files no longer apply to it)\n",
				ts, e->pid, e->comm, str);
		else if (WIFSIGNALED(status))
			fprintf(out, "%12.6f exit   pid=%u comm=%s signal=%s\n", ts, e->pid, e->comm,
				signal_name(WTERMSIG(status)) ? signal_name(WTERMSIG(status)) : "?");
		else
			fprintf(out, "%12.6f exit   pid=%u comm=%s code=%d\n", ts, e->pid, e->comm, WEXITSTATUS(status));
		fflush(out);
		return;
	}
	fprintf(out, "{\"v\":1,\"type\":\"%s\",\"time\":%.6f,\"pid\":%u,\"comm\":",
		e->kind == FP_EV_FORK ? "fork" : e->kind == FP_EV_EXEC ? "exec" : "exit", ts, e->pid);
	json_print_string(out, e->comm);
	if (e->kind == FP_EV_FORK) {
		fprintf(out, ",\"parent\":%llu", (unsigned long long)e->hit);
	} else if (e->kind == FP_EV_EXEC) {
		fputs(",\"file\":", out);
		json_print_string(out, str);
	} else if (WIFSIGNALED(status)) {
		fprintf(out, ",\"signal\":%d", WTERMSIG(status));
	} else {
		fprintf(out, ",\"code\":%d", WEXITSTATUS(status));
	}
	fputs("}\n", out);
	fflush(out);
}


char *status_json(struct session *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	bool first = true;

	if (!m)
		return NULL;
	fprintf(m, "{\"v\":1,\"ok\":true,\"type\":\"status\",\"session\":\"%s\",\"pid\":%d,\"delivery\":\"%s\",\"uptime\":%.3f,\"rules\":[",
		s->name, getpid(), injector__direct_write(s->inj) ? "write" : "stop",
		(double)(now_ns() - s->t0_ns) / 1e9);
	for (int i = 0; i < s->nslots; i++) {
		if (!s->slots[i].live)
			continue;
		if (!first)
			fputc(',', m);
		json_rule(m, s, i);
		first = false;
	}
	fputs("],\"targets\":[", m);
	for (int i = 0; i < s->targets.n; i++)
		fprintf(m, "%s%d", i ? "," : "", s->targets.v[i]);
	fprintf(m, "],\"probes\":%d,\"injected\":%llu,\"max_injections\":%llu,\"limit_reached\":%s,\"dropped\":%llu}",
		s->nprobes, (unsigned long long)injector__total_injected(s->inj),
		(unsigned long long)s->o->max_injections, s->limit_reached ? "true" : "false",
		(unsigned long long)injector__dropped(s->inj));
	fclose(m);
	return buf;
}

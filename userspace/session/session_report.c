// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* What a session reports about itself: the first line, the summary at the end, and the
 * status a control client asks for. JSON through the one writer; schema in control.md. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "engine/sys_backend.h"
#include "session/session_int.h"
#include "util/json_writer.h"

static const char *source_name(enum rule_source src)
{
	return src == SRC_FILE ? "file" : src == SRC_INLINE ? "inline" : "control";
}

static void rule_counts(struct session *s, int rid, struct fp_rule_state *st)
{
	memset(st, 0, sizeof(*st));
	injector__rule_state(s->inj, (__u32)rid, st);
}

/* One rule as the summary and `status` both show it. */
static void json_rule(struct jw *w, struct session *s, int i)
{
	const struct rule *r = rule_table__get(s->rules, i);
	const struct sys_backend *b = rule_table__backend(s->rules, i);
	char target[RULE_PATH_LEN + 2 * FP_NAME_LEN + 16], where[RULE_PATH_LEN + 16];
	struct fp_rule_state st;

	rule_counts(s, i, &st);
	rule_target_string(r, target, sizeof(target));
	snprintf(where, sizeof(where), "%s:%d", r->origin, r->line);
	jw_obj_begin(w);
	jw_kint(w, "id", i);
	jw_kstr(w, "rule", where);
	jw_kstr(w, "target", target);
	jw_kstr(w, "text", r->text);
	jw_kstr(w, "source", source_name(rule_table__source(s->rules, i)));
	jw_kstr(w, "backend", b ? b->name : "usdt");
	jw_kbool(w, "active", rule_table__live(s->rules, i));
	jw_kuint(w, "evaluated", st.evaluated);
	jw_kuint(w, "matched", st.matched);
	jw_kuint(w, "injected", st.injected);
	jw_kuint(w, "taken", st.taken);
	jw_kuint(w, "lost", st.lost);
	jw_obj_end(w);
}

static const char *delivery_name(struct session *s)
{
	return injector__direct_write(s->inj) ? "write" : "stop";
}

/* "; sys:read by seccomp, sys:openat by lsm": who serves each kernel rule. */
static void backends_text(struct session *s, char *out, size_t len)
{
	size_t used = 0;

	out[0] = 0;
	for (int i = 0; i < rule_table__bound(s->rules) && used < len; i++) {
		const struct sys_backend *b = rule_table__backend(s->rules, i);
		const struct rule *r = rule_table__get(s->rules, i);
		char target[FP_NAME_LEN + 16];

		if (!b || !r || !rule_table__live(s->rules, i))
			continue;
		rule_target_string(r, target, sizeof(target));
		used += (size_t)snprintf(out + used, len - used, "%s%s by %s", used ? ", " : "; ", target, b->name);
	}
}

static void backends_json(struct session *s, struct jw *w)
{
	jw_key(w, "backends");
	jw_arr_begin(w);
	for (int i = 0; i < rule_table__bound(s->rules); i++) {
		const struct sys_backend *b = rule_table__backend(s->rules, i);
		const struct rule *r = rule_table__get(s->rules, i);
		char where[RULE_PATH_LEN + 16], target[FP_NAME_LEN + 16];

		if (!b || !r || !rule_table__live(s->rules, i))
			continue;
		snprintf(where, sizeof(where), "%s:%d", r->origin, r->line);
		rule_target_string(r, target, sizeof(target));
		jw_obj_begin(w);
		jw_kstr(w, "rule", where);
		jw_kstr(w, "target", target);
		jw_kstr(w, "backend", b->name);
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

void session_print_start(struct session *s, pid_t target)
{
	const char *how = injector__direct_write(s->inj)
		? "direct write (bpf_probe_write_user)"
		: "stop-and-write (bpf_probe_write_user unavailable: the process briefly stops on each injection)";
	int live = rule_table__nlive(s->rules);
	char backends[1024];
	struct jw *w;

	if (!s->o->json) {
		backends_text(s, backends, sizeof(backends));
		fprintf(stderr, "fpbpf: delivery: %s; %d rule(s) on %d probe(s); session %s%s\n", how, live,
			probe_table__count(s->probes), s->name, backends);
		return;
	}
	w = jw_record(s->o->out, "session");
	if (!w)
		return;
	jw_kstr(w, "session", s->name);
	jw_kstr(w, "socket", ctl_server_path(s->ctl));
	jw_kstr(w, "delivery", delivery_name(s));
	jw_kint(w, "probes", probe_table__count(s->probes));
	jw_kint(w, "rules", live);
	jw_kint(w, "pid", target);
	if (s->o->binary)
		jw_kstr(w, "binary", s->o->binary);
	backends_json(s, w);
	jw_record_end(w);
}

static void summary_text(struct session *s, FILE *f, __u64 dropped)
{
	fprintf(f, "fpbpf: summary\n  %-40s %10s %10s %10s\n", "rule", "evaluated", "matched", "injected");
	for (int i = 0; i < rule_table__bound(s->rules); i++) {
		const struct rule *r = rule_table__get(s->rules, i);
		char where[RULE_PATH_LEN + FP_NAME_LEN + 32];
		struct fp_rule_state st;

		if (!r)
			continue;
		rule_counts(s, i, &st);
		snprintf(where, sizeof(where), "%s:%d %s", r->origin, r->line, r->name);
		fprintf(f, "  %-40s %10llu %10llu %10llu%s%s", where, (unsigned long long)st.evaluated,
			(unsigned long long)st.matched, (unsigned long long)st.injected,
			st.evaluated ? "" : "  (never hit)", rule_table__live(s->rules, i) ? "" : "  (off)");
		if (st.taken)
			fprintf(f, "  (%llu taken by another session)", (unsigned long long)st.taken);
		if (st.lost)
			fprintf(f, "  (%llu not delivered, not injected)", (unsigned long long)st.lost);
		fputc('\n', f);
	}
	fprintf(f, "  events: %llu, dropped: %llu%s\n", s->out.count, (unsigned long long)dropped,
		dropped ? " (report buffer full: lower event volume or drop -v; injections are unaffected)" : "");
	fflush(f);
}

void session_print_summary(struct session *s)
{
	__u64 dropped = injector__dropped(s->inj);
	struct jw *w;

	if (!s->o->json) {
		summary_text(s, s->o->out, dropped);
		events_out__check(&s->out);
		return;
	}
	w = jw_record(s->o->out, "summary");
	if (!w)
		return;
	jw_key(w, "rules");
	jw_arr_begin(w);
	for (int i = 0; i < rule_table__bound(s->rules); i++)
		if (rule_table__used(s->rules, i))
			json_rule(w, s, i);
	jw_arr_end(w);
	jw_kuint(w, "injected", injector__total_injected(s->inj));
	jw_kuint(w, "dropped", dropped);
	jw_record_end(w);
	events_out__check(&s->out);
}

/* For attach --binary: the processes running it now (its file mapped executable). */
static void binary_processes(struct jw *w, const char *binary)
{
	char real[4096], exe[300], link[4096];
	struct dirent *de;
	DIR *d;

	if (!realpath(binary, real) || !(d = opendir("/proc")))
		return;
	while ((de = readdir(d))) {
		ssize_t n;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(exe, sizeof(exe), "/proc/%s/exe", de->d_name);
		n = readlink(exe, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = 0;
		if (!strcmp(link, real))
			jw_int(w, strtol(de->d_name, NULL, 10));
	}
	closedir(d);
}

char *session_status_json(struct session *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	pid_t held[64];
	int nheld = holds__pids(s->holds, held, 64);
	struct jw *w = m ? jw_record(m, NULL) : NULL;

	if (!w) {
		if (m)
			fclose(m);
		free(buf);
		return NULL;
	}
	jw_kbool(w, "ok", true);
	jw_kstr(w, "type", "status");
	jw_kstr(w, "session", s->name);
	jw_kint(w, "pid", getpid());
	jw_kstr(w, "delivery", delivery_name(s));
	jw_kdouble(w, "uptime", (double)(now_ns() - s->out.t0_ns) / 1e9, 3);
	jw_key(w, "rules");
	jw_arr_begin(w);
	for (int i = 0; i < rule_table__bound(s->rules); i++)
		if (rule_table__live(s->rules, i))
			json_rule(w, s, i);
	jw_arr_end(w);
	jw_key(w, "targets");
	jw_arr_begin(w);
	for (int i = 0; i < s->targets.n; i++)
		jw_int(w, s->targets.v[i]);
	if (s->o->binary)
		binary_processes(w, s->o->binary);
	jw_arr_end(w);
	if (s->o->binary)
		jw_kstr(w, "binary", s->o->binary);
	jw_key(w, "held");
	jw_arr_begin(w);
	for (int i = 0; i < nheld && i < 64; i++)
		jw_int(w, held[i]);
	jw_arr_end(w);
	jw_kint(w, "probes", probe_table__count(s->probes));
	jw_kuint(w, "injected", injector__total_injected(s->inj));
	jw_kuint(w, "max_injections", s->o->max_injections);
	jw_kbool(w, "limit_reached", s->limit_reached);
	jw_kuint(w, "dropped", injector__dropped(s->inj));
	jw_record_end(w);
	fclose(m);
	/* One reply line: the writer's newline goes. */
	if (len && buf[len - 1] == '\n')
		buf[len - 1] = 0;
	return buf;
}

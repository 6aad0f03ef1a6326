// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* explore's output: progress on stderr, findings and the closing table on stdout (JSON
 * lines with --json), report.json and report.html with --report DIR. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "explore/explore_int.h"
#include "util/json_writer.h"
#include "util/log.h"

long long xr_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Shell words are quoted only when they need it, so a repro reads as typed. */
static void put_word(FILE *f, const char *w)
{
	bool plain = *w != 0;

	for (const char *p = w; *p && plain; p++)
		plain = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./,:=+@%", *p) != NULL;
	if (plain) {
		fputs(w, f);
		return;
	}
	fputc('\'', f);
	for (const char *p = w; *p; p++)
		*p == '\'' ? fputs("'\\''", f) : fputc(*p, f);
	fputc('\'', f);
}

static const char *delivery_flag(enum delivery d)
{
	return d == DELIVERY_WRITE ? "write" : d == DELIVERY_STOP ? "stop" : NULL;
}

char *xr_repro(const struct explore *x, const struct xp_run *r, bool with_expect)
{
	const struct explore_opts *o = x->o;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	put_word(f, o->self);
	fputs(" run", f);
	if (o->backend) {
		fputs(" --backend ", f);
		put_word(f, o->backend);
	}
	if (delivery_flag(o->delivery))
		fprintf(f, " --delivery %s", delivery_flag(o->delivery));
	for (int i = 0; i < o->nrules; i++) {
		bool seen = false;

		for (int j = 0; j < i && !seen; j++)
			seen = !strcmp(o->rules[j].origin, o->rules[i].origin);
		if (!seen) {
			fputs(" -r ", f);
			put_word(f, o->rules[i].origin);
		}
	}
	for (int k = 0; k < r->nsteps; k++) {
		const struct xs_site *s = &x->sites.v[r->step[k].site];
		char rule[512];

		xs_rule_text(s, s->faults[r->step[k].fault].action, (unsigned long long)r->step[k].nth, rule,
			     sizeof(rule));
		fputs(" -e ", f);
		put_word(f, rule);
	}
	fputs(" --", f);
	for (char **a = o->argv; *a; a++) {
		fputc(' ', f);
		put_word(f, *a);
	}
	/* As explore ran it: a terminal would change what the command does. */
	fputs(" </dev/null >/dev/null", f);
	if (with_expect && o->expect) {
		fputs("; sh -c ", f);
		put_word(f, o->expect);
	}
	fclose(f);
	return buf;
}

void xr_step_text(const struct explore *x, const struct xp_run *r, char *out, size_t len)
{
	size_t used = 0;

	out[0] = 0;
	for (int k = 0; k < r->nsteps && used < len; k++) {
		const struct xs_site *s = &x->sites.v[r->step[k].site];

		used += (size_t)snprintf(out + used, len - used, "%s%s hit %llu (%s)", k ? ", then " : "", xs_site_name(s),
					 (unsigned long long)r->step[k].nth, s->faults[r->step[k].fault].label);
	}
}

/* The baseline's status: an exit code, or the signal's name in "signal". */
static void status_json(struct jw *w, int status, bool timed_out)
{
	char text[32];

	xo_status_text(status, timed_out, text, sizeof(text));
	if (timed_out)
		jw_kstr(w, "status", "timeout");
	else if (WIFSIGNALED(status))
		jw_kstr(w, "signal", text);
	else
		jw_kint(w, "status", WEXITSTATUS(status));
}

void xr_baseline_json(const struct explore *x, struct jw *w)
{
	jw_key(w, "command");
	jw_arr_begin(w);
	for (char **a = x->o->argv; *a; a++)
		jw_str(w, *a);
	jw_arr_end(w);
	jw_key(w, "baseline");
	jw_obj_begin(w);
	status_json(w, x->base_status, false);
	jw_kdouble(w, "elapsed_ms", (double)x->base_ns / 1e6, 3);
	jw_kint(w, "timeout_ms", x->timeout_ms);
	if (x->by_caller[0])
		jw_kstr(w, "by_caller", x->by_caller);
	jw_key(w, "sites");
	jw_arr_begin(w);
	for (int s = 0; s < x->sites.n; s++) {
		jw_obj_begin(w);
		jw_kstr(w, "site", xs_site_name(&x->sites.v[s]));
		if (x->sites.v[s].where[0])
			jw_kstr(w, "where", x->sites.v[s].where);
		jw_kuint(w, "hits", x->plan.base ? x->plan.base[s] : 0);
		jw_kbool(w, "nondeterministic", x->nondet[s]);
		if (x->sites.v[s].whole[0])
			jw_kstr(w, "not_split", x->sites.v[s].whole);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_obj_end(w);
}

void xr_start(struct explore *x)
{
	char status[32];

	if (x->o->json) {
		struct jw *w = jw_record(x->out, "explore");

		xr_baseline_json(x, w);
		jw_record_end(w);
		return;
	}
	xo_status_text(x->base_status, false, status, sizeof(status));
	fprintf(x->out, "explore: baseline: %s in %.1f ms (2 runs without faults); timeout %lld ms\n", status,
		(double)x->base_ns / 1e6, x->timeout_ms);
	for (int s = 0; s < x->sites.n; s++)
		fprintf(x->out, "explore: site %-24s %llu hit(s)%s%s%s\n", xs_site_name(&x->sites.v[s]),
			(unsigned long long)x->plan.base[s], x->sites.v[s].where[0] ? " at " : "", x->sites.v[s].where,
			x->nondet[s] ? "  nondeterministic: its count differs between the two baseline runs" : "");
	fflush(x->out);
}

void xr_phase(struct explore *x, int depth, int total)
{
	if (x->o->json) {
		struct jw *w = jw_record(x->out, "phase");

		jw_kint(w, "depth", depth);
		jw_kint(w, "runs", total);
		jw_record_end(w);
	} else {
		fprintf(x->out, "explore: depth %d: at most %d run(s)\n", depth, total);
		fflush(x->out);
	}
}

static bool progress_shown;

/* The progress line goes before a line lands on the same terminal. */
static void clear_progress(struct explore *x)
{
	(void)x;
	if (progress_shown) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
		progress_shown = false;
	}
}

void xr_progress(struct explore *x, int done, int total, bool last)
{
	static long long last_ns;
	long long now = xr_now_ns();
	double el = (double)(now - x->t0_ns) / 1e9;

	if (x->o->json || !isatty(STDERR_FILENO))
		return;
	if (!last && now - last_ns < 100000000LL)
		return;
	last_ns = now;
	fprintf(stderr, "\r\033[Kexplore: %d/%d runs  %.1fs  about %.0fs left  %d finding(s)%s", done, total, el,
		done ? el / done * (total - done) : 0.0, x->findings, last ? "\n" : "");
	fflush(stderr);
	progress_shown = !last;
}

void xr_finding_json(const struct explore *x, int i, struct jw *w)
{
	const struct xp_run *r = &x->plan.runs[i];
	const struct xrun_rec *rec = &x->recs[i];
	const struct xp_step *st = &r->step[r->nsteps - 1];

	jw_kstr(w, "site", xs_site_name(&x->sites.v[st->site]));
	jw_kuint(w, "nth", st->nth);
	jw_kstr(w, "fault", x->sites.v[st->site].faults[st->fault].action);
	if (r->nsteps > 1) {
		const struct xp_step *p = &r->step[0];

		jw_key(w, "after");
		jw_obj_begin(w);
		jw_kstr(w, "site", xs_site_name(&x->sites.v[p->site]));
		jw_kuint(w, "nth", p->nth);
		jw_kstr(w, "fault", x->sites.v[p->site].faults[p->fault].action);
		jw_obj_end(w);
	}
	jw_kstr(w, "outcome", xo_name(rec->outcome));
	status_json(w, rec->status, rec->timed_out);
	jw_kint(w, "group", rec->group + 1);
	jw_kstr(w, "stderr_tail", rec->tail);
	jw_kstr(w, "repro", rec->repro);
}

void xr_finding(struct explore *x, int i)
{
	const struct xp_run *r = &x->plan.runs[i];
	const struct xrun_rec *rec = &x->recs[i];
	char status[32], steps[512];

	if (x->o->json) {
		struct jw *w = jw_record(x->out, "finding");

		xr_finding_json(x, i, w);
		jw_record_end(w);
		return;
	}
	xo_status_text(rec->status, rec->timed_out, status, sizeof(status));
	xr_step_text(x, r, steps, sizeof(steps));
	clear_progress(x);
	fprintf(x->out, "finding: %s (%s) at %s\n  repro: %s\n", xo_name(rec->outcome), status, steps,
		rec->repro ? rec->repro : "?");
	fflush(x->out);
}

void xr_tally(const struct explore *x, int s, int f, struct site_row *row)
{
	memset(row, 0, sizeof(*row));
	for (int i = 0; i < x->plan.n && i < x->recs_cap; i++) {
		const struct xp_run *r = &x->plan.runs[i];
		const struct xp_step *st = &r->step[r->nsteps - 1];

		if (r->parent >= 0 || st->site != s || st->fault != f || !x->recs[i].ran)
			continue;
		row->runs++;
		if (r->fired)
			row->by[x->recs[i].outcome]++;
		else
			row->not_fired++;
	}
}

void xr_site_json(const struct explore *x, int s, int f, struct jw *w)
{
	struct site_row row;

	xr_tally(x, s, f, &row);
	jw_kstr(w, "site", xs_site_name(&x->sites.v[s]));
	jw_kstr(w, "fault", x->sites.v[s].faults[f].action);
	jw_kint(w, "runs", row.runs);
	for (int o = 0; o < XO_N; o++)
		jw_kint(w, xo_name(o), row.by[o]);
	jw_kint(w, "not_fired", row.not_fired);
}

static void summary_json(struct explore *x)
{
	for (int s = 0; s < x->sites.n; s++)
		for (int f = 0; f < x->sites.v[s].nfaults; f++) {
			struct jw *w = jw_record(x->out, "site");

			xr_site_json(x, s, f, w);
			jw_record_end(w);
		}
	{
		struct jw *w = jw_record(x->out, "summary");

		jw_kint(w, "runs", x->runs_done);
		jw_kint(w, "findings", x->findings);
		jw_kint(w, "groups", x->ngroups);
		jw_kint(w, "alarms", x->alarms);
		jw_kbool(w, "interrupted", x->interrupted);
		jw_kdouble(w, "elapsed_s", (double)(xr_now_ns() - x->t0_ns) / 1e9, 3);
		jw_record_end(w);
	}
}

/* Depth-2 runs, apart from the table (which counts each site's own runs). */
static void depth2_text(const struct explore *x)
{
	int runs = 0, findings = 0;

	for (int i = 0; i < x->plan.n && i < x->recs_cap; i++)
		if (x->plan.runs[i].parent >= 0 && x->recs[i].ran) {
			runs++;
			findings += x->plan.runs[i].fired && x->recs[i].outcome != XO_OK;
		}
	if (x->o->depth > 1)
		fprintf(x->out, "depth 2: %d run(s), %d finding(s) (a second fault after a first)\n", runs, findings);
}

void xr_interrupted_early(struct explore *x)
{
	if (x->o->json) {
		struct jw *w = jw_record(x->out, "summary");

		jw_kint(w, "runs", 0);
		jw_kbool(w, "interrupted", true);
		jw_kbool(w, "baseline", false);
		jw_record_end(w);
		return;
	}
	clear_progress(x);
	fputs("explore: interrupted before the runs without faults ended: nothing to compare with, no findings\n", x->out);
}

void xr_summary(struct explore *x)
{
	clear_progress(x);
	if (x->o->json) {
		summary_json(x);
		return;
	}
	fprintf(x->out, "\n%-24s %-14s %5s %5s %10s %5s %5s %5s %9s\n", "site", "fault", "runs", "ok", "error-exit",
		"wrong", "crash", "hang", "not-fired");
	for (int s = 0; s < x->sites.n; s++)
		for (int f = 0; f < x->sites.v[s].nfaults; f++) {
			struct site_row row;

			xr_tally(x, s, f, &row);
			fprintf(x->out, "%-24s %-14s %5d %5d %10d %5d %5d %5d %9d\n", xs_site_name(&x->sites.v[s]),
				x->sites.v[s].faults[f].label, row.runs, row.by[XO_OK], row.by[XO_ERROR_EXIT],
				row.by[XO_WRONG], row.by[XO_CRASH], row.by[XO_HANG], row.not_fired);
		}
	depth2_text(x);
	if (x->ngroups)
		fputs("\nfindings by kind:\n", x->out);
	for (int g = 0; g < x->ngroups; g++) {
		const struct xrun_rec *rec = &x->recs[x->groups[g].first];
		char steps[512];

		xr_step_text(x, &x->plan.runs[x->groups[g].first], steps, sizeof(steps));
		const char *status = strchr(x->groups[g].sig, '|') + 1, *line = strchr(status, '|') + 1;

		fprintf(x->out, "  %d. %s x%d: %.*s%s%s\n     first at %s\n     repro: %s\n", g + 1,
			xo_name(rec->outcome), x->groups[g].count, (int)(line - 1 - status), status, *line ? ": " : "",
			line, steps, rec->repro ? rec->repro : "?");
	}
	fprintf(x->out, "\nexplore: %d run(s), %d finding(s) in %d kind(s), %d crash/hang/wrong, %.1fs%s\n",
		x->runs_done, x->findings, x->ngroups, x->alarms, (double)(xr_now_ns() - x->t0_ns) / 1e9,
		x->interrupted ? " (interrupted: what was found so far)" : "");
	fflush(x->out);
}

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* --report DIR: report.json (schema in docs/explore.md, "v":1) and report.html, one page
 * with no network: the site x hit matrix coloured by outcome, and every finding. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "explore/explore_int.h"
#include "util/json_writer.h"
#include "util/log.h"

/* A depth-1 run's cell: its outcome, or not-fired. */
static const char *cell(const struct explore *x, int i)
{
	if (!x->recs[i].ran)
		return NULL;
	return x->plan.runs[i].fired ? xo_name(x->recs[i].outcome) : "not-fired";
}

static void matrix_json(const struct explore *x, struct jw *w)
{
	jw_key(w, "matrix");
	jw_arr_begin(w);
	for (int s = 0; s < x->sites.n; s++)
		for (int f = 0; f < x->sites.v[s].nfaults; f++) {
			jw_obj_begin(w);
			jw_kstr(w, "site", xs_site_name(&x->sites.v[s]));
			jw_kstr(w, "fault", x->sites.v[s].faults[f].action);
			jw_key(w, "cells");
			jw_arr_begin(w);
			for (int i = 0; i < x->plan.n && i < x->recs_cap; i++) {
				const struct xp_run *r = &x->plan.runs[i];

				if (r->parent >= 0 || r->step[0].site != s || r->step[0].fault != f || !cell(x, i))
					continue;
				jw_obj_begin(w);
				jw_kuint(w, "nth", r->step[0].nth);
				jw_kstr(w, "outcome", cell(x, i));
				jw_obj_end(w);
			}
			jw_arr_end(w);
			jw_obj_end(w);
		}
	jw_arr_end(w);
}

static void sites_json(const struct explore *x, struct jw *w)
{
	jw_key(w, "sites");
	jw_arr_begin(w);
	for (int s = 0; s < x->sites.n; s++)
		for (int f = 0; f < x->sites.v[s].nfaults; f++) {
			jw_obj_begin(w);
			xr_site_json(x, s, f, w);
			jw_obj_end(w);
		}
	jw_arr_end(w);
}

static int write_json(const struct explore *x, FILE *f)
{
	struct jw *w = jw_new(f);

	if (!w)
		return -ENOMEM;
	jw_obj_begin(w);
	jw_kint(w, "v", 1);
	xr_baseline_json(x, w);
	jw_kint(w, "runs", x->runs_done);
	jw_kbool(w, "interrupted", x->interrupted);
	jw_key(w, "findings");
	jw_arr_begin(w);
	for (int i = 0; i < x->plan.n && i < x->recs_cap; i++)
		if (x->recs[i].ran && x->plan.runs[i].fired && x->recs[i].outcome != XO_OK) {
			jw_obj_begin(w);
			xr_finding_json(x, i, w);
			jw_obj_end(w);
		}
	jw_arr_end(w);
	sites_json(x, w);
	matrix_json(x, w);
	jw_obj_end(w);
	jw_end_line(w);
	jw_free(w);
	return 0;
}

static void html_text(FILE *f, const char *s)
{
	for (; s && *s; s++)
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f);
		}
}

static const char html_head[] =
	"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>fpbpf explore</title><style>\n"
	"body{font-family:sans-serif;margin:1em}td,th{padding:2px 6px}table{border-collapse:collapse}\n"
	".m td{width:1.4em;height:1.4em;text-align:center;font-size:70%;border:1px solid #fff}\n"
	".ok{background:#9d9}.error-exit{background:#ee8}.wrong{background:#f94}.crash{background:#e44;color:#fff}\n"
	".hang{background:#a5d;color:#fff}.not-fired{background:#ddd}pre{background:#f4f4f4;padding:4px;white-space:pre-wrap}\n"
	"</style></head><body>\n";

static void html_matrix(const struct explore *x, FILE *f)
{
	fputs("<h2>Sites by hit number (depth 1)</h2>\n<p><span class=ok>ok</span> <span class=error-exit>error-exit</span> "
	      "<span class=wrong>wrong</span> <span class=crash>crash</span> <span class=hang>hang</span> "
	      "<span class=not-fired>not fired</span></p>\n<table class=m>\n", f);
	for (int s = 0; s < x->sites.n; s++)
		for (int fl = 0; fl < x->sites.v[s].nfaults; fl++) {
			fputs("<tr><th>", f);
			html_text(f, xs_site_name(&x->sites.v[s]));
			fputs(" ", f);
			html_text(f, x->sites.v[s].faults[fl].label);
			fputs("</th>", f);
			for (int i = 0; i < x->plan.n && i < x->recs_cap; i++) {
				const struct xp_run *r = &x->plan.runs[i];

				if (r->parent >= 0 || r->step[0].site != s || r->step[0].fault != fl || !cell(x, i))
					continue;
				fprintf(f, "<td class=%s title=\"hit %llu: %s\">%llu</td>", cell(x, i),
					(unsigned long long)r->step[0].nth, cell(x, i), (unsigned long long)r->step[0].nth);
			}
			fputs("</tr>\n", f);
		}
	fputs("</table>\n", f);
}

static int write_html(const struct explore *x, FILE *f)
{
	fputs(html_head, f);
	fputs("<h1>fpbpf explore</h1>\n<p>Command: <code>", f);
	for (char **a = x->o->argv; *a; a++) {
		html_text(f, *a);
		fputc(' ', f);
	}
	fprintf(f, "</code></p>\n<p>%d runs, %d findings in %d kinds, %d crash/hang/wrong%s.</p>\n", x->runs_done,
		x->findings, x->ngroups, x->alarms, x->interrupted ? " (interrupted)" : "");
	html_matrix(x, f);
	fputs("<h2>Findings</h2>\n", f);
	for (int i = 0; i < x->plan.n && i < x->recs_cap; i++) {
		const struct xrun_rec *rec = &x->recs[i];
		char steps[512], status[32];

		if (!rec->ran || !x->plan.runs[i].fired || rec->outcome == XO_OK)
			continue;
		xr_step_text(x, &x->plan.runs[i], steps, sizeof(steps));
		xo_status_text(rec->status, rec->timed_out, status, sizeof(status));
		fprintf(f, "<h3><span class=%s>%s</span> (%s) at ", xo_name(rec->outcome), xo_name(rec->outcome), status);
		html_text(f, steps);
		fputs("</h3>\n<p>Reproduce:</p><pre>", f);
		html_text(f, rec->repro);
		fputs("</pre>\n<p>End of stderr:</p><pre>", f);
		html_text(f, rec->tail);
		fputs("</pre>\n", f);
	}
	fputs("</body></html>\n", f);
	return 0;
}

static int write_file(const struct explore *x, const char *dir, const char *name,
		      int (*fn)(const struct explore *, FILE *))
{
	char path[4096];
	FILE *f;
	int err;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "we");
	if (!f) {
		log_error("explore: --report: %s: %s", path, strerror(errno));
		return -errno;
	}
	err = fn(x, f);
	if (fclose(f) && !err)
		err = -errno;
	if (err)
		log_error("explore: --report: %s: %s", path, strerror(-err));
	return err;
}

int xr_prepare_report(struct explore *x)
{
	const char *dir = x->o->report_dir;
	struct stat st;

	if (!dir)
		return 0;
	if (mkdir(dir, 0755) && errno != EEXIST) {
		log_error("explore: --report %s: %s", dir, strerror(errno));
		return -EINVAL;
	}
	if (stat(dir, &st) || !S_ISDIR(st.st_mode)) {
		log_error("explore: --report %s: not a directory", dir);
		return -EINVAL;
	}
	if (access(dir, W_OK)) {
		log_error("explore: --report %s: %s", dir, strerror(errno));
		return -EINVAL;
	}
	return 0;
}

int xr_write_reports(struct explore *x)
{
	const char *dir = x->o->report_dir;

	if (!dir)
		return 0;
	if (write_file(x, dir, "report.json", write_json))
		return -EIO;
	return write_file(x, dir, "report.html", write_html) ? -EIO : 0;
}

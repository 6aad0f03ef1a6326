// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <assert.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "util/json_writer.h"

/*
 * Length of the valid UTF-8 sequence at s (at most n bytes), 0 if invalid. Unicode
 * table 3-7's bounds rule out overlongs, surrogates and code points past U+10FFFF.
 * A NUL fails the continuation test, so this never reads past a C string's end.
 */
static int utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	unsigned char lo = c == 0xe0 ? 0xa0 : c == 0xf0 ? 0x90 : 0x80;
	unsigned char hi = c == 0xed ? 0x9f : c == 0xf4 ? 0x8f : 0xbf;
	int len = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4, i;

	if (c < 0x80)
		return 1;
	if (c < 0xc2 || c > 0xf4 || n < (size_t)len)
		return 0;
	for (i = 1; i < len; i++, lo = 0x80, hi = 0xbf)
		if (s[i] < lo || s[i] > hi)
			return 0;
	return len;
}

enum esc { ESC_JSON, ESC_TEXT, ESC_QUOTED };

/* Text escapes keep a log line on one line and valid UTF-8, and keep bad bytes recognisable. */
static void escape(FILE *out, const char *str, size_t max, enum esc mode)
{
	static const char shorts[] = "\b\f\n\r\t", letters[] = "bfnrt";
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < max && s[i]) {
		unsigned char c = s[i];
		int n = utf8_seq(s + i, max - i);

		if (n > 1) {
			fwrite(s + i, 1, (size_t)n, out);
			i += (size_t)n;
			continue;
		}
		i++;
		if (!n)
			fprintf(out, mode == ESC_JSON ? "\\ufffd" : "\\x%02x", c);
		else if ((c == '"' || c == '\\') && mode != ESC_TEXT)
			fprintf(out, "\\%c", c);
		else if (c >= 0x20 && c != 0x7f)
			fputc(c, out);
		else if (strchr(shorts, c))
			fprintf(out, "\\%c", letters[strchr(shorts, c) - shorts]);
		else
			fprintf(out, mode == ESC_JSON ? "\\u%04x" : "\\x%02x", c);
	}
}

void json_write_string(FILE *out, const char *s, size_t maxlen)
{
	if (!s) {
		fputs("null", out);
		return;
	}
	fputc('"', out);
	escape(out, s, maxlen, ESC_JSON);
	fputc('"', out);
}

/* JSON has no NaN or infinity, and a locale's decimal comma must not reach it either. */
static void put_double(FILE *out, double v, int decimals, bool json)
{
	char tmp[352], *p, *q;

	if (!isfinite(v)) {
		fputs(json ? "null" : isnan(v) ? "nan" : v < 0 ? "-inf" : "inf", out);
		return;
	}
	snprintf(tmp, sizeof(tmp), "%.*f", decimals < 0 ? 0 : decimals > 17 ? 17 : decimals, v);
	for (p = q = tmp; *p; p++) {
		if ((*p >= '0' && *p <= '9') || *p == '-')
			*q++ = *p;
		else if (q == tmp || q[-1] != '.')
			*q++ = '.';
	}
	fwrite(tmp, 1, (size_t)(q - tmp), out);
}

struct jw {
	FILE *out;
	int depth;			/* open containers */
	int lost;			/* containers opened past JW_MAX_DEPTH: dropped */
	bool key_pending;		/* a key awaits its value */
	bool line_used;			/* a top-level value is on this line */
	bool empty[JW_MAX_DEPTH + 1];	/* by depth: no member yet */
	char close[JW_MAX_DEPTH + 1];	/* by depth: '}' or ']' */
};

struct jw *jw_new(FILE *out)
{
	struct jw *w = calloc(1, sizeof(*w));

	if (w)
		w->out = out;
	return w;
}

void jw_free(struct jw *w)
{
	free(w);
}

/*
 * Writes what goes before a key or value; false if it must be dropped. Misuse
 * asserts, and without asserts is repaired so that the line stays valid JSON.
 */
static bool jw_pre(struct jw *w, bool key)
{
	bool in_obj = w->depth && w->close[w->depth] == '}';

	if (w->lost)
		return false;
	if (w->key_pending && !key) {
		w->key_pending = false;
		return true;
	}
	assert(key ? in_obj && !w->key_pending : !in_obj);
	if (key && (!in_obj || w->key_pending))
		return false;
	if (!w->depth) {
		assert(!w->line_used);	/* one value per line: call jw_end_line() */
		if (w->line_used)
			fputc('\n', w->out);
		w->line_used = true;
		return true;
	}
	if (!w->empty[w->depth])
		fputc(',', w->out);
	w->empty[w->depth] = false;
	if (in_obj && !key)
		fputs("\"\":", w->out);
	return true;
}

static void jw_open(struct jw *w, char open, char close)
{
	if (!jw_pre(w, false)) {
		w->lost++;
		return;
	}
	assert(w->depth < JW_MAX_DEPTH);
	if (w->depth >= JW_MAX_DEPTH) {
		/* Too deep to track: a null stands in for it, the rest is dropped. */
		fputs("null", w->out);
		w->lost = 1;
		return;
	}
	fputc(open, w->out);
	w->depth++;
	w->empty[w->depth] = true;
	w->close[w->depth] = close;
}

static void jw_close(struct jw *w, char close)
{
	if (w->lost) {
		w->lost--;
		return;
	}
	assert(w->depth && w->close[w->depth] == close && !w->key_pending);
	(void)close;	/* only checked: the tracked closer keeps the JSON valid */
	if (!w->depth)
		return;
	if (w->key_pending)
		jw_null(w);
	fputc(w->close[w->depth--], w->out);
}

void jw_obj_begin(struct jw *w)
{
	jw_open(w, '{', '}');
}

void jw_obj_end(struct jw *w)
{
	jw_close(w, '}');
}

void jw_arr_begin(struct jw *w)
{
	jw_open(w, '[', ']');
}

void jw_arr_end(struct jw *w)
{
	jw_close(w, ']');
}

void jw_key(struct jw *w, const char *key)
{
	if (!jw_pre(w, true))
		return;
	json_write_string(w->out, key ? key : "", (size_t)-1);
	fputc(':', w->out);
	w->key_pending = true;
}

void jw_strn(struct jw *w, const char *s, size_t n)
{
	if (jw_pre(w, false))
		json_write_string(w->out, s, n);
}

void jw_str(struct jw *w, const char *s)
{
	jw_strn(w, s, (size_t)-1);
}

void jw_int(struct jw *w, long long v)
{
	if (jw_pre(w, false))
		fprintf(w->out, "%lld", v);
}

void jw_uint(struct jw *w, unsigned long long v)
{
	if (jw_pre(w, false))
		fprintf(w->out, "%llu", v);
}

void jw_double(struct jw *w, double v, int decimals)
{
	if (jw_pre(w, false))
		put_double(w->out, v, decimals, true);
}

void jw_bool(struct jw *w, bool v)
{
	if (jw_pre(w, false))
		fputs(v ? "true" : "false", w->out);
}

void jw_null(struct jw *w)
{
	if (jw_pre(w, false))
		fputs("null", w->out);
}

void jw_end_line(struct jw *w)
{
	assert(!w->depth && !w->lost);
	while (w->lost || w->depth)
		jw_close(w, w->lost ? 0 : w->close[w->depth]);
	if (w->line_used)
		fputc('\n', w->out);
	w->line_used = false;
	fflush(w->out);
}

struct jw *jw_record(FILE *out, const char *type)
{
	struct jw *w = jw_new(out);

	if (!w)
		return NULL;
	jw_obj_begin(w);
	jw_kint(w, "v", 1);
	if (type)
		jw_kstr(w, "type", type);
	return w;
}

void jw_record_end(struct jw *w)
{
	if (!w)
		return;
	jw_obj_end(w);
	jw_end_line(w);
	jw_free(w);
}

enum rec_type { REC_T_STR, REC_T_NULL, REC_T_INT, REC_T_UINT, REC_T_DOUBLE, REC_T_BOOL, REC_T_OPEN, REC_T_CLOSE };

void rec_init(struct rec *r)
{
	r->n = 0;
	r->truncated = false;
	/* Offset 0 is a shared "" for strings that got no room. */
	r->buf[0] = 0;
	r->used = 1;
}

/* Fields past REC_MAX_FIELDS go to r->spare, which is never printed. */
static struct rec_field *rec_add(struct rec *r, const char *key, enum rec_style st, enum rec_type t)
{
	struct rec_field *f = &r->spare;

	if (r->n < REC_MAX_FIELDS)
		f = &r->f[r->n++];
	else
		r->truncated = true;
	memset(f, 0, sizeof(*f));
	f->key = key ? key : "";
	f->style = (unsigned char)st;
	f->type = (unsigned char)t;
	return f;
}

void rec_str(struct rec *r, const char *key, const char *v, enum rec_style st)
{
	struct rec_field *f = rec_add(r, key, st, v ? REC_T_STR : REC_T_NULL);
	size_t room = sizeof(r->buf) - r->used, n, end;	/* room for the bytes and the NUL */

	if (!v || f == &r->spare)
		return;
	n = strnlen(v, room);
	if (v[n]) {
		/* Cut before the sequence v[end] would split: its lead is at most 3 bytes back. */
		f->cut = true;
		for (n = end = room ? room - 1 : 0; n && end - n < 3; n--)
			if (((unsigned char)v[n] & 0xc0) != 0x80)
				break;
	}
	if (!n)
		return;
	f->v.off = r->used;
	memcpy(r->buf + r->used, v, n);
	r->buf[r->used + n] = 0;
	r->used += (unsigned int)n + 1;
}

void rec_int(struct rec *r, const char *key, long long v, enum rec_style st)
{
	rec_add(r, key, st, REC_T_INT)->v.i = v;
}

void rec_uint(struct rec *r, const char *key, unsigned long long v, enum rec_style st)
{
	rec_add(r, key, st, REC_T_UINT)->v.u = v;
}

void rec_double(struct rec *r, const char *key, double v, int decimals, enum rec_style st)
{
	struct rec_field *f = rec_add(r, key, st, REC_T_DOUBLE);

	f->v.d = v;
	f->decimals = (unsigned char)(decimals < 0 ? 0 : decimals > 17 ? 17 : decimals);
}

void rec_bool(struct rec *r, const char *key, bool v, enum rec_style st)
{
	rec_add(r, key, st, REC_T_BOOL)->v.b = v;
}

void rec_group(struct rec *r, const char *key)
{
	rec_add(r, key, REC_KV, REC_T_OPEN);
}

void rec_group_end(struct rec *r)
{
	rec_add(r, NULL, REC_KV, REC_T_CLOSE);
}

bool rec_truncated(const struct rec *r)
{
	return r->truncated;
}

static void put_value(FILE *out, const struct rec *r, const struct rec_field *f, enum esc mode)
{
	switch (f->type) {
	case REC_T_STR:
		if (mode == ESC_JSON) {
			json_write_string(out, r->buf + f->v.off, (size_t)-1);
			break;
		}
		escape(out, r->buf + f->v.off, (size_t)-1, mode);
		if (f->cut)
			fputs("...", out);
		break;
	case REC_T_NULL:
		fputs("null", out);
		break;
	case REC_T_INT:
		fprintf(out, "%lld", f->v.i);
		break;
	case REC_T_UINT:
		fprintf(out, "%llu", f->v.u);
		break;
	case REC_T_DOUBLE:
		put_double(out, f->v.d, f->decimals, mode == ESC_JSON);
		break;
	default:
		fputs(f->v.b ? "true" : "false", out);
	}
}

static void rec_json(const struct rec *r, FILE *out)
{
	struct jw w = { .out = out };
	unsigned int i;

	jw_obj_begin(&w);
	for (i = 0; i < r->n; i++) {
		if (r->f[i].type == REC_T_CLOSE) {
			jw_obj_end(&w);
			continue;
		}
		if (r->f[i].style == REC_TEXT_ONLY)
			continue;
		jw_key(&w, r->f[i].key);
		if (r->f[i].type == REC_T_OPEN)
			jw_obj_begin(&w);
		else if (jw_pre(&w, false))
			put_value(out, r, &r->f[i], ESC_JSON);
	}
	jw_obj_end(&w);
	jw_end_line(&w);
}

/* A line is rendered in memory and written at once: one write, whole or not at all,
 * rather than one per character on an unbuffered stderr. */
static void write_line(FILE *out, void (*render)(const struct rec *, FILE *, const char *), const struct rec *r,
		       const char *prefix)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	if (!m) {
		render(r, out, prefix);
		fflush(out);
		return;
	}
	render(r, m, prefix);
	fclose(m);
	fwrite(buf, 1, len, out);
	fflush(out);
	free(buf);
}

static void render_json(const struct rec *r, FILE *out, const char *prefix)
{
	(void)prefix;
	rec_json(r, out);
}

void rec_print_json(const struct rec *r, FILE *out)
{
	write_line(out, render_json, r, NULL);
}

static void rec_text(const struct rec *r, FILE *out, const char *prefix)
{
	const char *sep = "";
	unsigned int i;

	if (prefix)
		fputs(prefix, out);
	for (i = 0; i < r->n; i++) {
		const struct rec_field *f = &r->f[i];
		bool quoted = f->style == REC_QUOTED;

		/* A group's fields stand inline in text, each by its own style. */
		if (f->style == REC_JSON_ONLY || f->type == REC_T_OPEN || f->type == REC_T_CLOSE)
			continue;
		fputs(sep, out);
		sep = " ";
		if (f->style == REC_KV || quoted || (f->style == REC_TEXT_ONLY && f->key[0])) {
			escape(out, f->key, (size_t)-1, ESC_TEXT);
			fputc('=', out);
		}
		/* null stays bare so that it differs from the string "null". */
		quoted = quoted && f->type != REC_T_NULL;
		if (quoted)
			fputc('"', out);
		put_value(out, r, f, quoted ? ESC_QUOTED : ESC_TEXT);
		if (quoted)
			fputc('"', out);
	}
}

static void render_text(const struct rec *r, FILE *out, const char *prefix)
{
	rec_text(r, out, prefix);
	fputc('\n', out);
}

void rec_print_text(const struct rec *r, FILE *out, const char *prefix)
{
	write_line(out, render_text, r, prefix);
}

/* Renders through a memory stream so that text and buffer output share one renderer. */
int rec_format_text(const struct rec *r, char *buf, size_t len, const char *prefix)
{
	char *text = NULL;
	size_t size = 0;
	FILE *m = open_memstream(&text, &size);
	int ret = -1;

	if (m) {
		rec_text(r, m, prefix);
		if (!fclose(m))
			ret = size > INT_MAX ? INT_MAX : (int)size;
	}
	if (len)
		snprintf(buf, len, "%s", ret < 0 ? "" : text);
	free(text);
	return ret;
}

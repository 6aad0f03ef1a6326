/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef FPBPF_JSON_WRITER_H
#define FPBPF_JSON_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/*
 * Streaming JSON writer: one line per top-level value. Commas and colons are
 * implicit. Whatever bytes the strings hold, the output is valid JSON and valid
 * UTF-8: invalid UTF-8 bytes become \ufffd. Misuse (a value in an object
 * without a key, nesting deeper than JW_MAX_DEPTH, ...) asserts in debug builds
 * and is repaired in release builds so the line stays valid JSON.
 */
#define JW_MAX_DEPTH 16

struct jw;

struct jw *jw_new(FILE *out);		/* NULL on ENOMEM */
void jw_free(struct jw *w);

void jw_obj_begin(struct jw *w);
void jw_obj_end(struct jw *w);
void jw_arr_begin(struct jw *w);
void jw_arr_end(struct jw *w);
void jw_key(struct jw *w, const char *key);	/* the next value belongs to key */
void jw_str(struct jw *w, const char *s);	/* NULL -> null */
void jw_strn(struct jw *w, const char *s, size_t n); /* at most n bytes, stops at NUL */
void jw_int(struct jw *w, long long v);
void jw_uint(struct jw *w, unsigned long long v);
void jw_double(struct jw *w, double v, int decimals); /* 0..17 decimals; NaN/inf -> null */
void jw_bool(struct jw *w, bool v);
void jw_null(struct jw *w);

/* key + value */
static inline void jw_kstr(struct jw *w, const char *k, const char *v)
{
	jw_key(w, k);
	jw_str(w, v);
}

static inline void jw_kint(struct jw *w, const char *k, long long v)
{
	jw_key(w, k);
	jw_int(w, v);
}

static inline void jw_kuint(struct jw *w, const char *k, unsigned long long v)
{
	jw_key(w, k);
	jw_uint(w, v);
}

static inline void jw_kbool(struct jw *w, const char *k, bool v)
{
	jw_key(w, k);
	jw_bool(w, v);
}

static inline void jw_kdouble(struct jw *w, const char *k, double v, int decimals)
{
	jw_key(w, k);
	jw_double(w, v, decimals);
}

/* Ends the line after the top-level value (closing what is still open): "\n", fflush. */
void jw_end_line(struct jw *w);

/* One line of fpbpf's output: a writer on out with {"v":1,"type":type already written,
 * or NULL on ENOMEM; jw_record_end closes the object and the line and frees the writer. */
struct jw *jw_record(FILE *out, const char *type);
void jw_record_end(struct jw *w);

/* One quoted, escaped JSON string; maxlen (size_t)-1 means up to the NUL. NULL -> null. */
void json_write_string(FILE *out, const char *s, size_t maxlen);

/*
 * Record: one event, notice or error built once, then rendered either as a JSON
 * object line or as a human text line, so the two can never disagree. Text keeps
 * to one line of valid UTF-8 too: control and invalid bytes become \n, \xHH, ...
 */
enum rec_style {
	REC_KV = 0,	/* text: key=value */
	REC_BARE,	/* text: value */
	REC_QUOTED,	/* text: key="value", escaped like C */
	REC_JSON_ONLY,	/* not in text */
	REC_TEXT_ONLY,	/* not in JSON; text: key=value, or value alone when key is "" */
};

#define REC_MAX_FIELDS 32
#define REC_BUF_SIZE 4096

/* Private to json_writer.c; public only so a record can live on the stack. */
struct rec_field {
	const char *key;		/* not copied: must outlive the record */
	unsigned char style, type, decimals;
	bool cut;			/* string value shortened to fit buf */
	union {
		long long i;
		unsigned long long u;
		double d;
		bool b;
		unsigned int off;	/* string value: offset in buf, so copies stay valid */
	} v;
};

struct rec {
	struct rec_field f[REC_MAX_FIELDS];
	unsigned int n, used;		/* fields, bytes of buf */
	bool truncated;			/* fields were dropped */
	struct rec_field spare;		/* where dropped fields go */
	char buf[REC_BUF_SIZE];		/* copies of string values */
};

void rec_init(struct rec *r);
/* v is copied; NULL -> null. Past the buffer it is cut at a UTF-8 boundary, "..." in text. */
void rec_str(struct rec *r, const char *key, const char *v, enum rec_style st);
void rec_int(struct rec *r, const char *key, long long v, enum rec_style st);
void rec_uint(struct rec *r, const char *key, unsigned long long v, enum rec_style st);
void rec_double(struct rec *r, const char *key, double v, int decimals, enum rec_style st);
void rec_bool(struct rec *r, const char *key, bool v, enum rec_style st);
/* Fields between these form a nested object "key":{...} in JSON and stand inline in text.
 * A group dropped by the field limit is closed by jw_end_line's repair. */
void rec_group(struct rec *r, const char *key);
void rec_group_end(struct rec *r);
/* True if more than REC_MAX_FIELDS fields were added: the extra ones were dropped. */
bool rec_truncated(const struct rec *r);

/* {"k":v,...} and "\n", then fflush. */
void rec_print_json(const struct rec *r, FILE *out);
/* prefix (may be NULL) then the fields joined by spaces, "\n", fflush. */
void rec_print_text(const struct rec *r, FILE *out, const char *prefix);
/* The same line without "\n" into buf; returns its full length like snprintf, -1 on ENOMEM. */
int rec_format_text(const struct rec *r, char *buf, size_t len, const char *prefix);

#endif

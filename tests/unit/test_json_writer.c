// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* JSON writer and records: exact bytes for what we promise, and every JSON line parsed
 * back with jansson, so that a line a consumer cannot read fails here first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <unistd.h>
#include <sys/wait.h>
#include <cmocka.h>
#include <jansson.h>
#include "util/json_writer.h"

static char *cap_buf;
static size_t cap_len;
static FILE *cap_file;

static FILE *cap_begin(void)
{
	cap_buf = NULL;
	cap_file = open_memstream(&cap_buf, &cap_len);
	assert_non_null(cap_file);
	return cap_file;
}

/* Returns what was written; the caller frees it. */
static char *cap_end(void)
{
	assert_int_equal(fclose(cap_file), 0);
	return cap_buf;
}

/* One line, exactly one "\n" at its end, and a JSON text jansson accepts (it checks UTF-8). */
static json_t *load(const char *line, size_t flags)
{
	size_t n = strlen(line);
	json_error_t err;
	json_t *j;

	assert_true(n > 0 && line[n - 1] == '\n');
	assert_null(memchr(line, '\n', n - 1));
	j = json_loads(line, JSON_DECODE_ANY | flags, &err);
	if (!j)
		print_error("not JSON (%s): %s", err.text, line);
	assert_non_null(j);
	return j;
}

/* Every line in out must parse on its own. */
static void load_lines(const char *out)
{
	const char *p, *nl;

	for (p = out; *p; p = nl + 1) {
		char *line;

		nl = strchr(p, '\n');
		assert_non_null(nl);
		line = strndup(p, (size_t)(nl - p + 1));
		json_decref(load(line, 0));
		free(line);
	}
}

static char *str_line(const char *s, size_t n)
{
	struct jw *w = jw_new(cap_begin());

	assert_non_null(w);
	jw_strn(w, s, n);
	jw_end_line(w);
	jw_free(w);
	return cap_end();
}

/* s as a JSON string must read exactly json (without the "\n") and decode to back. */
static void check_str(const char *s, size_t n, const char *json, const char *back)
{
	char *line = str_line(s, n);
	json_t *j = load(line, 0);

	assert_int_equal(strlen(line), strlen(json) + 1);
	assert_memory_equal(line, json, strlen(json));
	assert_true(json_is_string(j));
	assert_string_equal(json_string_value(j), back);
	json_decref(j);
	free(line);
}

static void test_nesting(void **state)
{
	struct jw *w = jw_new(cap_begin());
	char *out;
	int i;

	(void)state;
	jw_obj_begin(w);
	jw_kint(w, "a", 1);
	jw_key(w, "b");
	jw_arr_begin(w);
	jw_int(w, 1);
	jw_str(w, "x");
	jw_obj_begin(w);
	jw_key(w, "c");
	jw_arr_begin(w);
	jw_arr_end(w);
	jw_obj_end(w);
	jw_arr_begin(w);
	jw_null(w);
	jw_bool(w, true);
	jw_bool(w, false);
	jw_str(w, NULL);
	jw_arr_end(w);
	jw_arr_end(w);
	jw_key(w, "d");
	jw_obj_begin(w);
	jw_obj_end(w);
	jw_kstr(w, "e", "f");
	jw_kbool(w, "g", false);
	jw_kuint(w, "h", 7);
	jw_kdouble(w, "i", 0.5, 1);
	jw_obj_end(w);
	jw_end_line(w);
	/* The same writer goes on with the next line. */
	jw_arr_begin(w);
	jw_arr_end(w);
	jw_end_line(w);
	jw_int(w, 3);
	jw_end_line(w);
	/* As deep as it may go. */
	for (i = 0; i < JW_MAX_DEPTH; i++)
		jw_arr_begin(w);
	jw_int(w, 1);
	for (i = 0; i < JW_MAX_DEPTH; i++)
		jw_arr_end(w);
	jw_end_line(w);
	jw_free(w);
	out = cap_end();
	assert_string_equal(out, "{\"a\":1,\"b\":[1,\"x\",{\"c\":[]},[null,true,false,null]],\"d\":{},"
			    "\"e\":\"f\",\"g\":false,\"h\":7,\"i\":0.5}\n[]\n3\n"
			    "[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]\n");
	load_lines(out);
	free(out);
}

static void test_escapes(void **state)
{
	char s[2] = "", json[16];
	int c;

	(void)state;
	check_str("\"\\/\b\f\n\r\t\x01\x1f\x7f", (size_t)-1,
		  "\"\\\"\\\\/\\b\\f\\n\\r\\t\\u0001\\u001f\\u007f\"", "\"\\/\b\f\n\r\t\x01\x1f\x7f");
	check_str("", (size_t)-1, "\"\"", "");
	/* Every ASCII byte alone: control bytes escaped, the rest as is, all round-trip. */
	for (c = 1; c < 0x80; c++) {
		s[0] = (char)c;
		if (c == '"' || c == '\\')
			snprintf(json, sizeof(json), "\"\\%c\"", c);
		else if (strchr("\b\f\n\r\t", c))
			snprintf(json, sizeof(json), "\"\\%c\"", "bfnrt"[strchr("\b\f\n\r\t", c) - "\b\f\n\r\t"]);
		else if (c < 0x20 || c == 0x7f)
			snprintf(json, sizeof(json), "\"\\u%04x\"", c);
		else
			snprintf(json, sizeof(json), "\"%c\"", c);
		check_str(s, (size_t)-1, json, s);
	}
}

static void test_utf8_valid(void **state)
{
	static const char *const ok[] = {
		"\xc3\xa9", "\xc2\x80", "\xdf\xbf",				/* 2 bytes */
		"\xe2\x82\xac", "\xe0\xa0\x80", "\xed\x9f\xbf", "\xee\x80\x80", "\xef\xbf\xbf", /* 3 */
		"\xf0\x9f\x98\x80", "\xf0\x90\x80\x80", "\xf4\x8f\xbf\xbf",	/* 4 bytes */
		"a\xc3\xa9z\xe2\x82\xac\xf0\x9f\x98\x80",
	};
	char json[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		snprintf(json, sizeof(json), "\"%s\"", ok[i]);
		check_str(ok[i], (size_t)-1, json, ok[i]);
	}
}

#define BAD "\\ufffd"
#define U_FFFD "\xef\xbf\xbd"

static void test_utf8_invalid(void **state)
{
	static const struct { const char *in, *json, *back; } bad[] = {
		{ "\x80", BAD, U_FFFD },				/* lone continuation */
		{ "\xbf" "a", BAD "a", U_FFFD "a" },
		{ "\xc0\xaf", BAD BAD, U_FFFD U_FFFD },			/* overlong */
		{ "\xc1\xbf", BAD BAD, U_FFFD U_FFFD },
		{ "\xe0\x80\xaf", BAD BAD BAD, U_FFFD U_FFFD U_FFFD },
		{ "\xe0\x9f\xbf", BAD BAD BAD, U_FFFD U_FFFD U_FFFD },
		{ "\xf0\x80\x80\xaf", BAD BAD BAD BAD, U_FFFD U_FFFD U_FFFD U_FFFD },
		{ "\xf0\x8f\xbf\xbf", BAD BAD BAD BAD, U_FFFD U_FFFD U_FFFD U_FFFD },
		{ "\xed\xa0\x80", BAD BAD BAD, U_FFFD U_FFFD U_FFFD },	/* surrogates */
		{ "\xed\xbf\xbf", BAD BAD BAD, U_FFFD U_FFFD U_FFFD },
		{ "\xf4\x90\x80\x80", BAD BAD BAD BAD, U_FFFD U_FFFD U_FFFD U_FFFD }, /* > U+10FFFF */
		{ "\xf5\x80\x80\x80", BAD BAD BAD BAD, U_FFFD U_FFFD U_FFFD U_FFFD },
		{ "\xfe\xff", BAD BAD, U_FFFD U_FFFD },
		{ "\xc3", BAD, U_FFFD },				/* truncated */
		{ "\xe2\x82", BAD BAD, U_FFFD U_FFFD },
		{ "\xe2\x82" "a", BAD BAD "a", U_FFFD U_FFFD "a" },
		{ "\xf0\x9f\x98", BAD BAD BAD, U_FFFD U_FFFD U_FFFD },
		{ "\xf0\x9f\x98\xc3\xa9", BAD BAD BAD "\xc3\xa9", U_FFFD U_FFFD U_FFFD "\xc3\xa9" },
	};
	char json[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(json, sizeof(json), "\"%s\"", bad[i].json);
		check_str(bad[i].in, (size_t)-1, json, bad[i].back);
	}
	/* A limit that splits a sequence leaves it truncated. */
	check_str("\xe2\x82\xac", 2, "\"" BAD BAD "\"", U_FFFD U_FFFD);
}

/* Whatever the bytes, the line parses. */
static void test_random_bytes(void **state)
{
	char s[64];
	int i, k;

	(void)state;
	srand(1);
	for (i = 0; i < 5000; i++) {
		char *line;
		json_t *j;

		for (k = 0; k < (int)sizeof(s) - 1; k++)
			s[k] = (char)(rand() % 255 + 1);
		s[rand() % (int)sizeof(s)] = 0;
		s[sizeof(s) - 1] = 0;
		line = str_line(s, (size_t)-1);
		j = load(line, 0);
		json_decref(j);
		free(line);
	}
}

static void test_numbers(void **state)
{
	static const char exp[] = "[-9223372036854775808,9223372036854775807,0,null,null,null,"
				  "1.500,-0.25,2,10000";
	struct jw *w = jw_new(cap_begin());
	char *out;
	json_t *j;

	(void)state;
	jw_arr_begin(w);
	jw_int(w, LLONG_MIN);
	jw_int(w, LLONG_MAX);
	jw_int(w, 0);
	jw_double(w, NAN, 3);
	jw_double(w, INFINITY, 3);
	jw_double(w, -INFINITY, 3);
	jw_double(w, 1.5, 3);
	jw_double(w, -0.25, 2);
	jw_double(w, 2.5, -1);
	jw_double(w, 1e300, 1);
	jw_arr_end(w);
	jw_end_line(w);
	jw_free(w);
	out = cap_end();
	assert_int_equal(strncmp(out, exp, strlen(exp)), 0);
	j = load(out, 0);
	assert_int_equal(json_integer_value(json_array_get(j, 0)), LLONG_MIN);
	assert_int_equal(json_integer_value(json_array_get(j, 1)), LLONG_MAX);
	assert_true(json_is_null(json_array_get(j, 3)));
	assert_true(json_is_null(json_array_get(j, 5)));
	assert_true(json_real_value(json_array_get(j, 6)) == 1.5);
	assert_true(json_real_value(json_array_get(j, 9)) == 1e300);
	json_decref(j);
	free(out);

	/* jansson's integers are signed 64-bit: read uint64 max as a real. */
	w = jw_new(cap_begin());
	jw_uint(w, ULLONG_MAX);
	jw_end_line(w);
	jw_free(w);
	out = cap_end();
	assert_string_equal(out, "18446744073709551615\n");
	j = load(out, JSON_DECODE_INT_AS_REAL);
	assert_true(json_real_value(j) == 18446744073709551615.0);
	json_decref(j);
	free(out);
}

static void test_keys(void **state)
{
	struct jw *w = jw_new(cap_begin());
	char *out;
	json_t *j;

	(void)state;
	jw_obj_begin(w);
	jw_kint(w, "a\"b\\c\n\xff", 1);
	jw_kint(w, NULL, 2);
	jw_kstr(w, "\xc3\xa9", "v");
	jw_obj_end(w);
	jw_end_line(w);
	jw_free(w);
	out = cap_end();
	assert_string_equal(out, "{\"a\\\"b\\\\c\\n\\ufffd\":1,\"\":2,\"\xc3\xa9\":\"v\"}\n");
	j = load(out, 0);
	assert_int_equal(json_integer_value(json_object_get(j, "a\"b\\c\n" U_FFFD)), 1);
	assert_int_equal(json_integer_value(json_object_get(j, "")), 2);
	assert_string_equal(json_string_value(json_object_get(j, "\xc3\xa9")), "v");
	json_decref(j);
	free(out);
}

static void test_strn(void **state)
{
	char *out;

	(void)state;
	check_str("hello", 3, "\"hel\"", "hel");
	check_str("hello", 0, "\"\"", "");
	check_str("he\0llo", 6, "\"he\"", "he");
	check_str("hello", 100, "\"hello\"", "hello");
	out = str_line(NULL, 3);
	assert_string_equal(out, "null\n");
	free(out);

	json_write_string(cap_begin(), "a\nbc", 3);
	out = cap_end();
	assert_string_equal(out, "\"a\\nb\"");
	free(out);
	json_write_string(cap_begin(), NULL, (size_t)-1);
	out = cap_end();
	assert_string_equal(out, "null");
	free(out);
}

static void fill(struct rec *r)
{
	rec_init(r);
	rec_str(r, "type", "inject", REC_BARE);
	rec_double(r, "time", 1.5, 6, REC_BARE);
	rec_uint(r, "pid", 42, REC_KV);
	rec_str(r, "comm", "my app", REC_QUOTED);
	rec_str(r, "provider", "app", REC_JSON_ONLY);
	rec_str(r, "", "app:db_write", REC_TEXT_ONLY);
	rec_int(r, "value", -5, REC_KV);
	rec_bool(r, "ok", true, REC_KV);
	rec_str(r, "msg", NULL, REC_KV);
	rec_str(r, "q", "a\"b\\c\n\x01\xff\xc3\xa9", REC_QUOTED);
	rec_str(r, "kv", "x\ty\\z\"", REC_KV);
	rec_double(r, "ratio", NAN, 2, REC_KV);
	rec_str(r, "n", NULL, REC_QUOTED);
}

#define TEXT "inject 1.500000 pid=42 comm=\"my app\" app:db_write value=-5 ok=true msg=null " \
	     "q=\"a\\\"b\\\\c\\n\\x01\\xff\xc3\xa9\" kv=x\\ty\\z\" ratio=nan n=null"

static void test_rec_render(void **state)
{
	struct rec r, copy;
	char buf[512], *out;
	json_t *j;

	(void)state;
	fill(&r);
	assert_false(rec_truncated(&r));
	rec_print_json(&r, cap_begin());
	out = cap_end();
	assert_string_equal(out, "{\"type\":\"inject\",\"time\":1.500000,\"pid\":42,\"comm\":\"my app\","
			    "\"provider\":\"app\",\"value\":-5,\"ok\":true,\"msg\":null,"
			    "\"q\":\"a\\\"b\\\\c\\n\\u0001\\ufffd\xc3\xa9\",\"kv\":\"x\\ty\\\\z\\\"\","
			    "\"ratio\":null,\"n\":null}\n");
	j = load(out, 0);
	assert_int_equal(json_object_size(j), 12);
	assert_null(json_object_get(j, "where"));
	assert_true(json_real_value(json_object_get(j, "time")) == 1.5);
	assert_int_equal(json_integer_value(json_object_get(j, "pid")), 42);
	assert_int_equal(json_integer_value(json_object_get(j, "value")), -5);
	assert_true(json_is_true(json_object_get(j, "ok")));
	assert_string_equal(json_string_value(json_object_get(j, "q")), "a\"b\\c\n\x01" U_FFFD "\xc3\xa9");
	json_decref(j);
	free(out);

	assert_int_equal(rec_format_text(&r, buf, sizeof(buf), NULL), strlen(TEXT));
	assert_string_equal(buf, TEXT);
	assert_int_equal(rec_format_text(&r, buf, sizeof(buf), "fpbpf: "), strlen(TEXT) + 7);
	assert_string_equal(buf, "fpbpf: " TEXT);
	/* snprintf semantics: cut and terminated, full length returned. */
	assert_int_equal(rec_format_text(&r, buf, 7, NULL), strlen(TEXT));
	assert_string_equal(buf, "inject");
	assert_int_equal(rec_format_text(&r, NULL, 0, NULL), strlen(TEXT));
	rec_print_text(&r, cap_begin(), "p ");
	out = cap_end();
	assert_string_equal(out, "p " TEXT "\n");
	free(out);

	/* Strings live in the record by offset: a copy renders the same. */
	copy = r;
	memset(&r, 0xa5, sizeof(r));
	assert_int_equal(rec_format_text(&copy, buf, sizeof(buf), NULL), strlen(TEXT));
	assert_string_equal(buf, TEXT);

	rec_init(&r);
	assert_int_equal(rec_format_text(&r, buf, sizeof(buf), "x"), 1);
	assert_string_equal(buf, "x");
	rec_print_json(&r, cap_begin());
	out = cap_end();
	assert_string_equal(out, "{}\n");
	free(out);
}

static void test_rec_overflow(void **state)
{
	struct rec r;
	char key[REC_MAX_FIELDS + 1][8], *out;
	json_t *j;
	int i;

	(void)state;
	rec_init(&r);
	for (i = 0; i < REC_MAX_FIELDS; i++) {
		snprintf(key[i], sizeof(key[i]), "k%d", i);
		rec_int(&r, key[i], i, REC_KV);
	}
	assert_false(rec_truncated(&r));
	rec_str(&r, "extra", "dropped", REC_KV);
	rec_bool(&r, "extra2", true, REC_KV);
	assert_true(rec_truncated(&r));
	rec_print_json(&r, cap_begin());
	out = cap_end();
	j = load(out, 0);
	assert_int_equal(json_object_size(j), REC_MAX_FIELDS);
	assert_int_equal(json_integer_value(json_object_get(j, "k31")), 31);
	assert_null(json_object_get(j, "extra"));
	assert_null(strstr(out, "dropped"));
	json_decref(j);
	free(out);
}

/* A char of each width straddles the end of the buffer, at every alignment. */
static void test_rec_cut(void **state)
{
	static const char *const chars[] = { "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80" };
	static char big[2 * REC_BUF_SIZE], text[4 * REC_BUF_SIZE], want[64];
	const size_t max = REC_BUF_SIZE - 2;	/* what the first string can get */
	size_t c, w, pad, len, room;
	struct rec r;
	char *out;
	json_t *j;

	(void)state;
	for (c = 0; c < 3; c++) {
		w = c + 2;
		for (pad = 0; pad < w; pad++) {
			memset(big, 'a', pad);
			for (len = pad; len + w < sizeof(big); len += w)
				memcpy(big + len, chars[c], w);
			big[len] = 0;
			rec_init(&r);
			rec_str(&r, "s", big, REC_QUOTED);
			rec_str(&r, "after", "wxyz", REC_KV);
			rec_int(&r, "i", 1, REC_KV);
			assert_false(rec_truncated(&r));
			rec_print_json(&r, cap_begin());
			out = cap_end();
			j = load(out, 0);	/* valid UTF-8, or jansson says no */
			assert_null(strstr(out, BAD));
			len = strlen(json_string_value(json_object_get(j, "s")));
			assert_int_equal(len, pad + (max - pad) / w * w);
			assert_memory_equal(json_string_value(json_object_get(j, "s")), big, len);
			/* What is left of the buffer goes to the next string. */
			room = REC_BUF_SIZE - 1 - (len + 1);
			assert_int_equal(strlen(json_string_value(json_object_get(j, "after"))), room ? room - 1 : 0);
			assert_int_equal(json_integer_value(json_object_get(j, "i")), 1);
			json_decref(j);
			free(out);
			assert_int_equal(rec_format_text(&r, text, sizeof(text), NULL), 3 + len + 4 + 7 + (room ? room - 1 : 0) + 3 + 4);
			snprintf(want, sizeof(want), "...\" after=%.*s... i=1", (int)(room ? room - 1 : 0), "wxyz");
			assert_string_equal(text + 3 + len, want);
		}
	}
	/* A string that just fits is not marked; neither is an empty one. */
	rec_init(&r);
	memset(big, 'b', max);
	big[max] = 0;
	rec_str(&r, "s", big, REC_BARE);
	rec_str(&r, "e", "", REC_KV);
	rec_format_text(&r, text, sizeof(text), NULL);
	assert_int_equal(strlen(text), max + 3);
	assert_string_equal(text + max, " e=");
}

static void too_deep(struct jw *w)
{
	int i;

	for (i = 0; i < JW_MAX_DEPTH + 3; i++) {
		jw_obj_begin(w);
		jw_kint(w, "n", i);
		jw_key(w, "o");
	}
	jw_int(w, 5);
	for (i = 0; i < JW_MAX_DEPTH + 3; i++)
		jw_obj_end(w);
}

static void no_key(struct jw *w)
{
	jw_obj_begin(w);
	jw_int(w, 1);
	jw_obj_end(w);
}

static void key_twice(struct jw *w)
{
	jw_obj_begin(w);
	jw_key(w, "a");
	jw_key(w, "b");
	jw_int(w, 2);
	jw_obj_end(w);
}

static void key_in_array(struct jw *w)
{
	jw_arr_begin(w);
	jw_key(w, "k");
	jw_int(w, 1);
	jw_arr_end(w);
}

static void key_no_value(struct jw *w)
{
	jw_obj_begin(w);
	jw_key(w, "c");
	jw_obj_end(w);
}

static void wrong_end(struct jw *w)
{
	jw_arr_begin(w);
	jw_obj_end(w);
}

static void two_values(struct jw *w)
{
	jw_int(w, 1);
	jw_int(w, 2);
}

static void left_open(struct jw *w)
{
	jw_arr_begin(w);
	jw_obj_begin(w);
}

static void end_nothing(struct jw *w)
{
	jw_obj_end(w);
	jw_null(w);
}

/*
 * Misuse asserts in debug builds (the child must abort). Built with -DNDEBUG, it
 * is repaired instead and the output must still parse.
 */
static void test_misuse(void **state)
{
	static const struct { void (*fn)(struct jw *w); const char *out; } cases[] = {
		{ too_deep, NULL },
		{ no_key, "{\"\":1}\n" },
		{ key_twice, "{\"a\":2}\n" },
		{ key_in_array, "[1]\n" },
		{ key_no_value, "{\"c\":null}\n" },
		{ wrong_end, "[]\n" },
		{ two_values, "1\n2\n" },
		{ left_open, "[{}]\n" },
		{ end_nothing, "null\n" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct jw *w;
#ifdef NDEBUG
		char *out;

		w = jw_new(cap_begin());
		cases[i].fn(w);
		jw_end_line(w);
		jw_free(w);
		out = cap_end();
		if (cases[i].out)
			assert_string_equal(out, cases[i].out);
		load_lines(out);
		free(out);
#else
		int status;
		pid_t pid = fork();

		assert_true(pid >= 0);
		if (!pid) {
			FILE *null = fopen("/dev/null", "w");

			if (!null || !freopen("/dev/null", "w", stderr))
				_exit(2);
			w = jw_new(null);
			cases[i].fn(w);
			jw_end_line(w);
			_exit(0);
		}
		assert_int_equal(waitpid(pid, &status, 0), pid);
		if (!WIFSIGNALED(status))
			print_error("case %zu did not assert\n", i);
		assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
#endif
	}
}


/* A group is an object in JSON and inline fields in text; a keyed text-only field is
 * key=value in text and absent from JSON. */
static void test_rec_group(void **state)
{
	struct rec r;
	char buf[256];

	(void)state;
	rec_init(&r);
	rec_str(&r, "type", "inject", REC_BARE);
	rec_group(&r, "args");
	rec_int(&r, "fd", 3, REC_KV);
	rec_str(&r, "path", "/x y", REC_QUOTED);
	rec_group_end(&r);
	rec_str(&r, "signal", "SIGKILL", REC_TEXT_ONLY);
	rec_int(&r, "signal", 9, REC_JSON_ONLY);
	assert_int_equal(rec_format_text(&r, buf, sizeof(buf), NULL), (int)strlen("inject fd=3 path=\"/x y\" signal=SIGKILL"));
	assert_string_equal(buf, "inject fd=3 path=\"/x y\" signal=SIGKILL");
	{
		char *out;
		FILE *m;
		size_t len;

		m = open_memstream(&out, &len);
		rec_print_json(&r, m);
		fclose(m);
		assert_string_equal(out, "{\"type\":\"inject\",\"args\":{\"fd\":3,\"path\":\"/x y\"},\"signal\":9}\n");
		free(out);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nesting),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_utf8_valid),
		cmocka_unit_test(test_utf8_invalid),
		cmocka_unit_test(test_random_bytes),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_strn),
		cmocka_unit_test(test_rec_render),
		cmocka_unit_test(test_rec_group),
		cmocka_unit_test(test_rec_overflow),
		cmocka_unit_test(test_rec_cut),
		cmocka_unit_test(test_misuse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

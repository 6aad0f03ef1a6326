// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <ctype.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include "explore/explore_outcome.h"
#include "rules/names.h"

static const char *const names[XO_N] = {
	[XO_OK] = "ok", [XO_ERROR_EXIT] = "error-exit", [XO_WRONG] = "wrong",
	[XO_CRASH] = "crash", [XO_HANG] = "hang",
};

const char *xo_name(enum xo_outcome o)
{
	return o < XO_N ? names[o] : "?";
}

bool xo_is_alarm(enum xo_outcome o)
{
	return o == XO_CRASH || o == XO_HANG || o == XO_WRONG;
}

/* Reports of runtimes that go on, or exit normally, after finding a bug; each anchored so
 * that a program's own message ("cc1: fatal error: x.c: No such file") is not one.
 * glibc's heap and stack checks abort, and SIGABRT says so already. */
static const struct {
	const char *text;
	bool line_start;	/* the text begins its line */
	const char *also;	/* and this is somewhere in the output too (NULL: nothing) */
} reports[] = {
	{ "==ERROR: AddressSanitizer", false, NULL },
	{ "==ERROR: LeakSanitizer", false, NULL },
	{ "WARNING: ThreadSanitizer", false, NULL },
	{ "==WARNING: MemorySanitizer", false, NULL },
	{ ": runtime error: ", false, "SUMMARY: UndefinedBehaviorSanitizer" },
	{ ": runtime error: ", false, "\n    #0 " },
	{ "thread '", true, "' panicked at " },
	{ "fatal error: ", true, "\ngoroutine " },
	{ "panic: ", true, "\ngoroutine " },
};

/* memmem on a buffer that need not end in NUL. */
static const char *find(const char *hay, size_t len, const char *needle)
{
	size_t n = strlen(needle);

	for (size_t i = 0; n <= len && i <= len - n; i++)
		if (hay[i] == needle[0] && !memcmp(hay + i, needle, n))
			return hay + i;
	return NULL;
}

/* The first place in err where report k's text stands (at a line start if it must). */
static const char *find_report(const char *err, size_t len, size_t k)
{
	const char *at = err;

	if (reports[k].also && !find(err, len, reports[k].also))
		return NULL;
	while ((at = find(at, len - (size_t)(at - err), reports[k].text))) {
		if (!reports[k].line_start || at == err || at[-1] == '\n')
			return at;
		at++;
	}
	return NULL;
}

const char *xo_sanitizer_report(const char *err, size_t len)
{
	const char *first = NULL;

	for (size_t i = 0; i < sizeof(reports) / sizeof(reports[0]); i++) {
		const char *at = find_report(err, len, i);

		if (at && (!first || at < first))
			first = at;
	}
	return first;
}

static bool crash_signal(int sig)
{
	return sig == SIGSEGV || sig == SIGABRT || sig == SIGBUS || sig == SIGFPE || sig == SIGILL ||
	       sig == SIGTRAP || sig == SIGSYS;
}

enum xo_outcome xo_classify(int base_status, int status, bool timed_out, const char *err, size_t errlen,
			    int expect)
{
	if (timed_out)
		return XO_HANG;
	/* A command that dies so without any fault: dying the same way is its normal end. */
	if ((WIFSIGNALED(status) && crash_signal(WTERMSIG(status)) && status != base_status) ||
	    xo_sanitizer_report(err, errlen))
		return XO_CRASH;
	if (status != base_status)
		return XO_ERROR_EXIT;
	return expect > 0 ? XO_WRONG : XO_OK;
}

void xo_status_text(int status, bool timed_out, char *out, size_t len)
{
	const char *name;

	if (timed_out)
		snprintf(out, len, "timeout");
	else if (WIFSIGNALED(status) && (name = signal_name(WTERMSIG(status))))
		snprintf(out, len, "%s", name);
	else if (WIFSIGNALED(status))
		snprintf(out, len, "signal %d", WTERMSIG(status));
	else
		snprintf(out, len, "exit %d", WEXITSTATUS(status));
}

/* The line at p, within [err, err + len). */
static void line_at(const char *err, size_t len, const char *p, const char **start, size_t *n)
{
	const char *end = err + len;

	while (p > err && p[-1] != '\n')
		p--;
	*start = p;
	while (p < end && *p != '\n')
		p++;
	*n = (size_t)(p - *start);
}

static void last_line(const char *err, size_t len, const char **start, size_t *n)
{
	while (len && (err[len - 1] == '\n' || isspace((unsigned char)err[len - 1])))
		len--;
	if (!len) {
		*start = err;
		*n = 0;
		return;
	}
	line_at(err, len, err + len - 1, start, n);
}

/* Numbers and hex addresses become N: the same bug at another hit or pid reads the same. */
static void blank_numbers(const char *in, size_t n, char *out, size_t outlen)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o + 2 < outlen;) {
		if (in[i] == '0' && i + 1 < n && in[i + 1] == 'x') {
			i += 2;
			while (i < n && isxdigit((unsigned char)in[i]))
				i++;
			out[o++] = 'N';
		} else if (isdigit((unsigned char)in[i]) && !(i && (isalnum((unsigned char)in[i - 1]) || in[i - 1] == '_'))) {
			while (i < n && isdigit((unsigned char)in[i]))
				i++;
			out[o++] = 'N';
		} else {
			/* Digits inside a name stay: x86_64, sha256. */
			while (i < n && o + 2 < outlen && (isalnum((unsigned char)in[i]) || in[i] == '_'))
				out[o++] = in[i++];
			if (i < n && o + 2 < outlen && !isalnum((unsigned char)in[i]) && in[i] != '_')
				out[o++] = in[i++];
		}
	}
	out[o] = 0;
}

void xo_signature(enum xo_outcome o, int status, const char *err, size_t len, char *out, size_t outlen)
{
	const char *summary = find(err, len, "SUMMARY: "), *report = xo_sanitizer_report(err, len), *line;
	char st[32], key[256];
	size_t n;

	if (summary)
		line_at(err, len, summary, &line, &n);
	else if (report)
		line_at(err, len, report, &line, &n);
	else
		last_line(err, len, &line, &n);
	blank_numbers(line, n, key, sizeof(key));
	xo_status_text(status, o == XO_HANG, st, sizeof(st));
	snprintf(out, outlen, "%s|%s|%s", xo_name(o), o == XO_HANG ? "timeout" : st, key);
}

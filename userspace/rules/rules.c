// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rules/names.h"
#include "rules/rules.h"
#include "util/num.h"

static const struct {
	const char *name;
	enum rule_action action;
} action_names[] = {
	{ "off", RA_OFF },     { "return", RA_RETURN }, { "error", RA_ERROR }, { "sleep", RA_SLEEP },
	{ "pause", RA_PAUSE }, { "yield", RA_YIELD },   { "print", RA_PRINT }, { "panic", RA_PANIC },
	{ "exit", RA_EXIT },   { "signal", RA_SIGNAL }, { "delay", RA_DELAY },
};
#define N_ACTIONS (sizeof(action_names) / sizeof(action_names[0]))

static const char *const filter_names[] = { "pid", "tid", "comm", "after", "when", "uid", "cgroup",
					    "caller", "callsite", "arg1", "arg2", "arg3", "arg4", "arg5", "arg6" };
enum { F_PID, F_TID, F_COMM, F_AFTER, F_WHEN, F_UID, F_CGROUP, F_CALLER, F_CALLSITE, F_ARG1 };
#define N_FILTERS (sizeof(filter_names) / sizeof(filter_names[0]))

struct parser {
	const char *text;
	size_t pos;
	const char *origin;
	int line;
	char *err;
	size_t errlen;
};

static int fail_at(struct parser *p, size_t pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail_at(struct parser *p, size_t pos, const char *fmt, ...)
{
	char msg[384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(p->err, p->errlen, "%s:%d:%zu: %s", p->origin, p->line, pos + 1, msg);
	return -1;
}

const char *rule_action_name(enum rule_action a)
{
	for (size_t i = 0; i < N_ACTIONS; i++)
		if (action_names[i].action == a)
			return action_names[i].name;
	return "?";
}

static void skip_spaces(struct parser *p)
{
	while (p->text[p->pos] == ' ' || p->text[p->pos] == '\t')
		p->pos++;
}

static bool is_ident(const char *s, size_t len)
{
	if (!len || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return false;
	for (size_t i = 1; i < len; i++)
		if (!(isalnum((unsigned char)s[i]) || s[i] == '_'))
			return false;
	return true;
}

static bool parse_i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	return num_i64(s, min, max, out) == 0;
}

/* "/", "/foo" etc. are never identifiers, so a suggestion needs a real near miss. */
static const char *closest(const char *word, const char *const *cands, size_t n)
{
	const char *best = NULL;
	size_t best_d = (size_t)-1;

	for (size_t i = 0; i < n; i++) {
		size_t d = edit_distance(word, cands[i]);

		if (d < best_d) {
			best_d = d;
			best = cands[i];
		}
	}
	return best_d <= (strlen(word) + 2) / 3 + 1 ? best : NULL;
}

static int parse_target(struct parser *p, const char *t, size_t len, size_t col, struct rule *r)
{
	char buf[RULE_PATH_LEN + 2 * FP_NAME_LEN + 8];
	char *first, *last;

	if (!len)
		return fail_at(p, col, "missing failpoint name before '='");
	if (len >= sizeof(buf))
		return fail_at(p, col, "target is too long (at most %zu characters)", sizeof(buf) - 1);
	memcpy(buf, t, len);
	buf[len] = 0;

	r->kind = TARGET_USDT;
	if (!strncmp(buf, "sys:", 4) || !strncmp(buf, "kfunc:", 6)) {
		const char *name = strchr(buf, ':') + 1;

		r->kind = buf[0] == 's' ? TARGET_SYS : TARGET_KFUNC;
		if (!is_ident(name, strlen(name)) || strlen(name) >= FP_NAME_LEN)
			return fail_at(p, col + (name - buf), "expected a %s name after '%.*s'",
				       r->kind == TARGET_SYS ? "syscall" : "kernel function",
				       (int)(name - buf), buf);
		strcpy(r->name, name);
		return 0;
	}
	if (!strncmp(buf, "usdt:", 5)) {
		char *path = buf + 5;

		last = strrchr(path, ':');
		if (!last || last == path)
			return fail_at(p, col, "expected usdt:PATH:PROVIDER:NAME");
		*last = 0;
		first = strrchr(path, ':');
		if (!first || first == path)
			return fail_at(p, col, "expected usdt:PATH:PROVIDER:NAME");
		*first = 0;
		if (strlen(path) >= RULE_PATH_LEN)
			return fail_at(p, col + 5, "path is too long");
		strcpy(r->path, path);
		if (!is_ident(first + 1, strlen(first + 1)) || strlen(first + 1) >= FP_NAME_LEN)
			return fail_at(p, col + (first + 1 - buf), "expected a provider name");
		strcpy(r->provider, first + 1);
		if (!is_ident(last + 1, strlen(last + 1)) || strlen(last + 1) >= FP_NAME_LEN)
			return fail_at(p, col + (last + 1 - buf), "expected a probe name");
		strcpy(r->name, last + 1);
		return 0;
	}
	last = strchr(buf, ':');
	if (last) {
		*last = 0;
		if (!is_ident(buf, strlen(buf)) || strlen(buf) >= FP_NAME_LEN)
			return fail_at(p, col, "expected a provider name before ':' (or one of usdt:, sys:, kfunc:)");
		strcpy(r->provider, buf);
		first = last + 1;
	} else {
		first = buf;
	}
	if (!is_ident(first, strlen(first)) || strlen(first) >= FP_NAME_LEN)
		return fail_at(p, col + (first - buf),
			       "expected a failpoint name (a C identifier of at most %d characters)",
			       FP_NAME_LEN - 1);
	strcpy(r->name, first);
	return 0;
}

/* Reads [P%][COUNT*]: digits are a probability if '%' follows, a count if '*' does. */
static int parse_term_prefix(struct parser *p, struct rule_term *t)
{
	for (int round = 0; round < 2; round++) {
		const char *s = p->text + p->pos;
		size_t n = 0, dot = 0;
		char num[32];

		while (isdigit((unsigned char)s[n]) || (s[n] == '.' && !dot++))
			n++;
		if (!n)
			return 0;
		if (n >= sizeof(num))
			return fail_at(p, p->pos, "number is too long");
		memcpy(num, s, n);
		num[n] = 0;
		if (s[n] == '%' && round == 0) {
			uint64_t ppm;
			int err = num_fixed(num, 4, 100 * 10000, &ppm);

			if (err == -EDOM)
				return fail_at(p, p->pos, "probability %s%% is finer than fpbpf's step of 0.0001%%", num);
			if (err || !ppm)
				return fail_at(p, p->pos, "probability must be above 0%% and at most 100%%");
			t->prob_ppm = (uint32_t)ppm;
			p->pos += n + 1;
			continue;
		}
		if (s[n] == '*' && !dot) {
			int64_t v;

			if (num_i64(num, 1, INT32_MAX, &v))
				return fail_at(p, p->pos, "count must be a whole number from 1 to %d", INT32_MAX);
			t->count = (int32_t)v;
			p->pos += n + 1;
			return 0;
		}
		return fail_at(p, p->pos + n, "expected '%%' or '*' after the number");
	}
	return 0;
}

static int parse_action_arg(struct parser *p, struct rule_term *t, const char *arg, bool has_arg,
			    size_t col)
{
	const char *name = rule_action_name(t->action);
	int64_t v;
	int n;

	switch (t->action) {
	case RA_OFF:
	case RA_PAUSE:
	case RA_YIELD:
		if (has_arg)
			return fail_at(p, col, "'%s' takes no argument", name);
		return 0;
	case RA_RETURN:
		if (!has_arg) {
			t->value = 0;
			return 0;
		}
		if (!parse_i64(arg, INT64_MIN, INT64_MAX, &v))
			return fail_at(p, col, "return value must be an integer, got '%s'%s", arg,
				       arg[0] == '"' ? ": a failpoint made with fpbpf.h returns a C integer, so fail-rs's string values cannot be honoured" : "");
		t->value = v;
		return 0;
	case RA_ERROR:
		n = has_arg ? errno_from_name(arg) : -1;
		if (n < 0)
			return fail_at(p, col, "error needs an errno name or number, like error(EIO) or error(5)%s%s%s",
				       has_arg ? ", got '" : "", has_arg ? arg : "", has_arg ? "'" : "");
		t->value = -(int64_t)n;
		return 0;
	case RA_SLEEP:
	case RA_DELAY:
		if (!has_arg || !parse_i64(arg, 0, 86400000, &v))
			return fail_at(p, col, "%s needs milliseconds from 0 to 86400000, like %s(250)", name, name);
		t->arg = (uint32_t)v;
		return 0;
	case RA_EXIT:
		/* Bare exit, as Neon's failpoints write it: a process stopped mid-way, a failure. */
		if (!has_arg) {
			t->value = 1;
			return 0;
		}
		if (!parse_i64(arg, 0, 255, &v))
			return fail_at(p, col, "exit needs a status from 0 to 255, like exit(3) (bare exit is exit(1))");
		t->value = v;
		return 0;
	case RA_SIGNAL:
		n = has_arg ? signal_from_name(arg) : -1;
		if (n < 0)
			return fail_at(p, col, "signal needs a signal name or number, like signal(SIGUSR1)%s%s%s",
				       has_arg ? ", got '" : "", has_arg ? arg : "", has_arg ? "'" : "");
		/* A stop nobody continues would outlive the session. */
		if (n == SIGSTOP || n == SIGTSTP || n == SIGTTIN || n == SIGTTOU)
			return fail_at(p, col, "signal(%s) would leave the process stopped after the session; to hold it, use pause or sleep(MS)", arg);
		t->value = n;
		return 0;
	case RA_PRINT:
	case RA_PANIC:
		if (has_arg) {
			if (strlen(arg) >= RULE_MSG_LEN)
				return fail_at(p, col, "message is too long (at most %d characters)", RULE_MSG_LEN - 1);
			strcpy(t->msg, arg);
		}
		return 0;
	}
	return fail_at(p, col, "internal error: unhandled action");
}

static int parse_term(struct parser *p, struct rule_term *t)
{
	const char *names[N_ACTIONS];
	char word[32], arg[RULE_MSG_LEN + 32] = "";
	bool has_arg = false;
	size_t start, arg_col = 0;
	const char *hint;

	memset(t, 0, sizeof(*t));
	t->prob_ppm = FP_PROB_ONE;
	t->count = -1;
	t->col = (int)p->pos + 1;
	if (parse_term_prefix(p, t))
		return -1;

	start = p->pos;
	while (isalnum((unsigned char)p->text[p->pos]) || p->text[p->pos] == '_')
		p->pos++;
	if (p->pos == start)
		return fail_at(p, start, "expected an action (off, return, error, sleep, pause, yield, print, panic, exit, signal, delay)");
	if (p->pos - start >= sizeof(word))
		return fail_at(p, start, "unknown action '%.*s'", (int)(p->pos - start), p->text + start);
	memcpy(word, p->text + start, p->pos - start);
	word[p->pos - start] = 0;

	for (size_t i = 0; i < N_ACTIONS; i++) {
		names[i] = action_names[i].name;
		if (!strcmp(word, action_names[i].name)) {
			t->action = action_names[i].action;
			goto found;
		}
	}
	hint = closest(word, names, N_ACTIONS);
	return fail_at(p, start,
		       "unknown action '%s', expected one of off, return, error, sleep, pause, yield, print, panic, exit, signal, delay%s%s%s",
		       word, hint ? " (did you mean '" : "", hint ? hint : "", hint ? "'?)" : "");
found:
	if (p->text[p->pos] == '(') {
		const char *close = strchr(p->text + p->pos + 1, ')');
		size_t n;

		if (!close)
			return fail_at(p, p->pos, "missing ')' after the argument of '%s'", word);
		arg_col = p->pos + 1;
		n = (size_t)(close - (p->text + arg_col));
		if (n >= sizeof(arg))
			return fail_at(p, arg_col, "argument is too long");
		memcpy(arg, p->text + arg_col, n);
		arg[n] = 0;
		has_arg = true;
		p->pos = (size_t)(close - p->text) + 1;
	}
	return parse_action_arg(p, t, arg, has_arg, has_arg ? arg_col : start);
}

/* FIRST[..LAST][+[STEP]], as strace's when= */
static int parse_when(struct parser *p, const char *v, size_t col, struct rule *r)
{
	char buf[64], *plus, *dots;
	int64_t first, last = 0, step = 1;

	if (strlen(v) >= sizeof(buf))
		return fail_at(p, col, "when= is too long");
	strcpy(buf, v);
	plus = strchr(buf, '+');
	if (plus) {
		*plus++ = 0;
		if (*plus && !parse_i64(plus, 1, INT32_MAX, &step))
			return fail_at(p, col, "when= step must be a whole number from 1, as in when=2..10+2");
	}
	dots = strstr(buf, "..");
	if (dots) {
		*dots = 0;
		if (!parse_i64(dots + 2, 1, INT64_MAX, &last))
			return fail_at(p, col, "when= needs FIRST[..LAST][+STEP] with whole numbers from 1, got '%s'", v);
	}
	if (!parse_i64(buf, 1, INT64_MAX, &first))
		return fail_at(p, col, "when= needs FIRST[..LAST][+STEP] with whole numbers from 1, got '%s'", v);
	if (!dots && !plus)
		last = first;
	if (last && last < first)
		return fail_at(p, col, "when= range ends (%" PRId64 ") before it starts (%" PRId64 ")", last, first);
	r->when_first = (uint64_t)first;
	r->when_last = (uint64_t)last;
	r->when_step = (uint64_t)step;
	return 0;
}

/* Unsigned 64-bit values past INT64_MAX (0xffffffffffffffff, an unsigned argument's
 * all-ones) compare as the same bits. */
static bool parse_u64_bits(const char *s, int64_t *out)
{
	char *end;
	unsigned long long v;

	if (!isdigit((unsigned char)*s))
		return false;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end)
		return false;
	*out = (int64_t)v;
	return true;
}

/* Digits, a sign or 0x: a number, whatever its size; never taken for a glob. */
static bool looks_like_number(const char *s)
{
	if (*s == '-' || *s == '+')
		s++;
	if (!isdigit((unsigned char)*s))
		return false;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	for (; *s; s++)
		if (!isxdigit((unsigned char)*s))
			return false;
	return true;
}

/* NAME or NAME|NAME...: upper-case identifiers, as flag constants are written. */
static bool looks_like_flags(const char *v)
{
	bool start = true;

	for (; *v; v++) {
		if (*v == '|' && !start) {
			start = true;
			continue;
		}
		if (!(isupper((unsigned char)*v) || *v == '_' || (!start && isdigit((unsigned char)*v))))
			return false;
		start = false;
	}
	return !start;
}

/* An argument filter's value: a number, flag names (O_CREAT|O_TRUNC), or a glob
 * (quoted, or anything else). mask: written KEY&=VALUE. */
static int parse_arg_value(struct parser *p, const char *key, char *val, size_t vcol, bool mask,
			   struct rule_arg *a)
{
	size_t n = strlen(val);
	char bad[64];
	long long flags;
	int64_t v;

	if (val[0] == '"') {
		if (n < 2 || val[n - 1] != '"')
			return fail_at(p, vcol, "missing closing '\"' in %s=", key);
		val[n - 1] = 0;
		memmove(val, val + 1, n - 1);
	} else if (parse_i64(val, INT64_MIN, INT64_MAX, &v) || parse_u64_bits(val, &v)) {
		a->kind = mask ? FP_ARG_INT_MASK : FP_ARG_INT_EQ;
		a->value = v;
		return 0;
	} else if (looks_like_number(val)) {
		return fail_at(p, vcol, "%s%s=%s: out of range, expected a number that fits 64 bits (quote a string glob: \"...\")",
			       key, mask ? "&" : "", val);
	} else if (mask || looks_like_flags(val)) {
		/* Upper-case words are flag names; a glob for such a string needs quotes. */
		if (flags_from_names(val, &flags, bad, sizeof(bad)))
			return fail_at(p, vcol + (size_t)(strstr(val, bad) ? strstr(val, bad) - val : 0),
				       "unknown flag name '%s' in %s%s=, expected names like O_CREAT|O_TRUNC or a number%s",
				       bad, key, mask ? "&" : "", mask ? "" : " (quote a string glob: \"...\")");
		a->kind = mask ? FP_ARG_INT_MASK : FP_ARG_INT_EQ;
		a->value = flags;
		return 0;
	}
	if (strlen(val) >= FP_GLOB_LEN)
		return fail_at(p, vcol, "%s= pattern is too long (at most %d characters)", key, FP_GLOB_LEN - 1);
	a->kind = FP_ARG_STR_GLOB;
	strcpy(a->glob, val);
	return 0;
}

static int parse_filter(struct parser *p, const char *tok, size_t col, struct rule *r,
			unsigned int *seen)
{
	char key[32], val[RULE_PATH_LEN + 3];
	const char *eq = strchr(tok, '=');
	size_t klen = eq ? (size_t)(eq - tok) : strlen(tok);
	size_t vcol = col + klen + 1, idx;
	bool mask = false;
	const char *hint;
	int64_t v;

	if (tok[0] == '#')
		return fail_at(p, col, "'#' starts a comment only in rule files; a rule given alone (-e, set) takes none");
	if (klen >= sizeof(key))
		klen = sizeof(key) - 1;
	memcpy(key, tok, klen);
	key[klen] = 0;
	if (klen > 1 && key[klen - 1] == '&') {
		mask = true;
		key[klen - 1] = 0;
	}
	for (idx = 0; idx < N_FILTERS; idx++)
		if (!strcmp(key, filter_names[idx]))
			break;
	if (!eq)
		return fail_at(p, col + klen, "expected '=' after '%s'", key);
	if (strlen(eq + 1) >= sizeof(val))
		return fail_at(p, vcol, "value of '%s' is too long", key);
	strcpy(val, eq + 1);
	if (!*val)
		return fail_at(p, vcol, "missing value after '%s%s='", key, mask ? "&" : "");
	if (idx == N_FILTERS && r->kind == TARGET_SYS && is_ident(key, strlen(key))) {
		/* An argument by its name in the syscall's signature, checked when bound. */
		struct rule_named_arg *na;

		for (int i = 0; i < r->nnamed; i++)
			if (!strcmp(r->named[i].name, key))
				return fail_at(p, col, "filter '%s' given twice", key);
		if (r->nnamed == FP_MAX_ARGS)
			return fail_at(p, col, "too many argument filters (at most %d)", FP_MAX_ARGS);
		na = &r->named[r->nnamed++];
		snprintf(na->name, sizeof(na->name), "%s", key);
		na->col = (int)col + 1;
		return parse_arg_value(p, key, val, vcol, mask, &na->a);
	}
	if (idx == N_FILTERS) {
		hint = closest(key, filter_names, N_FILTERS);
		return fail_at(p, col, "unknown filter '%s', expected one of pid=, tid=, comm=, uid=, cgroup=, caller=, callsite=, after=, when=, arg1= .. arg6=%s%s%s%s",
			       key, r->kind == TARGET_SYS ? " or an argument name of the syscall" : "",
			       hint ? " (did you mean '" : "", hint ? hint : "", hint ? "='?)" : "");
	}
	if (*seen & (1u << idx))
		return fail_at(p, col, "filter '%s' given twice", key);
	*seen |= 1u << idx;
	if (mask && idx < F_ARG1)
		return fail_at(p, col, "'&=' works on argument filters only, not on %s=", key);
	if (idx != F_CGROUP && idx != F_CALLER && idx != F_CALLSITE && strlen(val) >= FP_GLOB_LEN + 2)
		return fail_at(p, vcol, "value of '%s' is too long (at most %d characters)", key, FP_GLOB_LEN - 1);

	switch (idx) {
	case F_PID:
	case F_TID:
		if (!parse_i64(val, 1, INT32_MAX, &v))
			return fail_at(p, vcol, "%s= needs a positive number, got '%s'", key, val);
		if (idx == F_PID)
			r->pid = (uint32_t)v;
		else
			r->tid = (uint32_t)v;
		return 0;
	case F_COMM:
		if (strlen(val) >= FP_COMM_LEN)
			return fail_at(p, vcol, "comm= pattern is longer than a command name can be (%d characters)", FP_COMM_LEN - 1);
		strcpy(r->comm, val);
		return 0;
	case F_AFTER:
		if (!parse_i64(val, 0, INT64_MAX, &v))
			return fail_at(p, vcol, "after= needs a whole number, got '%s'", val);
		r->after = (uint64_t)v;
		return 0;
	case F_WHEN:
		return parse_when(p, val, vcol, r);
	case F_UID: {
		struct passwd *pw;

		if (parse_i64(val, 0, UINT32_MAX - 1, &v)) {
			r->uid = (uint32_t)v;
		} else if ((pw = getpwnam(val))) {
			r->uid = pw->pw_uid;
		} else {
			return fail_at(p, vcol, "uid= needs a user id or a user name, got '%s'", val);
		}
		r->has_uid = true;
		return 0;
	}
	case F_CGROUP:
		if (val[0] != '/')
			return fail_at(p, vcol, "cgroup= needs the absolute path of a cgroup v2 directory, like /sys/fs/cgroup/test.slice");
		strcpy(r->cgroup, val);
		return 0;
	case F_CALLER:
	case F_CALLSITE:
		if (r->caller[0])
			return fail_at(p, col, "caller= and callsite= together: give one (callsite= is the function that made the call, caller= any function on the stack)");
		if (strlen(val) >= sizeof(r->caller))
			return fail_at(p, vcol, "%s= pattern is too long (at most %zu characters)", key, sizeof(r->caller) - 1);
		strcpy(r->caller, val);
		r->callsite = idx == F_CALLSITE;
		return 0;
	default:
		r->args_col[idx - F_ARG1] = (int)col + 1;
		return parse_arg_value(p, key, val, vcol, mask, &r->args[idx - F_ARG1]);
	}
}

/* A filter token ends at whitespace outside double quotes. */
static size_t token_end(const char *s, size_t pos)
{
	bool quoted = false;

	for (; s[pos]; pos++) {
		if (s[pos] == '"')
			quoted = !quoted;
		else if (!quoted && (s[pos] == ' ' || s[pos] == '\t'))
			break;
	}
	return pos;
}

/* Kernel probes can only replace a return value, signal, or stop the caller from outside;
 * USDT failpoints act inside the process: sleep() waits, delay() spins (fail-rs's). */
static int check_actions_fit(struct parser *p, const struct rule *r)
{
	for (int i = 0; i < r->nterms; i++) {
		enum rule_action a = r->terms[i].action;
		int col = r->terms[i].col - 1;

		if (r->kind != TARGET_USDT && a != RA_OFF && a != RA_RETURN && a != RA_ERROR &&
		    a != RA_SIGNAL && a != RA_DELAY && a != RA_PRINT)
			return fail_at(p, (size_t)col, "%s is for USDT failpoints; %s: rules take error, return, signal, delay, print or off%s",
				       rule_action_name(a), r->kind == TARGET_SYS ? "sys" : "kfunc",
				       a == RA_SLEEP ? " (did you mean delay?)" : "");
	}
	if (r->kind == TARGET_KFUNC)
		for (int i = 0; i < FP_MAX_ARGS; i++)
			if (r->args[i].kind != FP_ARG_ANY)
				return fail_at(p, (size_t)r->args_col[i] - 1, "argument filters are for sys: rules; kfunc: rules filter by pid, tid, comm, uid and cgroup");
	return 0;
}

void rule_target_string(const struct rule *r, char *out, size_t len)
{
	if (r->kind != TARGET_USDT)
		snprintf(out, len, "%s:%s", r->kind == TARGET_SYS ? "sys" : "kfunc", r->name);
	else if (r->path[0])
		snprintf(out, len, "usdt:%s:%s:%s", r->path, r->provider, r->name);
	else if (r->provider[0])
		snprintf(out, len, "%s:%s", r->provider, r->name);
	else
		snprintf(out, len, "%s", r->name);
}

bool rule_target_matches(const struct rule *r, const struct rule *key)
{
	return r->kind == key->kind && !strcmp(r->name, key->name) &&
	       (!key->provider[0] || !strcmp(r->provider, key->provider)) &&
	       (!key->path[0] || !strcmp(r->path, key->path)) &&
	       (!key->caller[0] || (!strcmp(r->caller, key->caller) && r->callsite == key->callsite));
}

int rule_parse_target(const char *text, const char *origin, struct rule *out, char *err, size_t errlen)
{
	char rule[RULE_PATH_LEN + 2 * FP_NAME_LEN + 16];

	if (!text[0] || strpbrk(text, "= \t") ||
	    snprintf(rule, sizeof(rule), "%s=off", text) >= (int)sizeof(rule)) {
		snprintf(err, errlen, "%s: expected a failpoint name ('db_write', 'app:db_write', 'sys:openat'), got '%s'",
			 origin, text);
		return -1;
	}
	return rule_parse(rule, origin, 1, out, err, errlen);
}

bool rule_has_scope(const struct rule *r)
{
	return r->pid || r->tid || r->comm[0] || r->has_uid || r->cgroup[0];
}

int rule_parse(const char *text, const char *origin, int line, struct rule *r, char *err,
	       size_t errlen)
{
	struct parser p = { .text = text, .origin = origin, .line = line, .err = err, .errlen = errlen };
	const char *eq = strchr(text, '=');
	size_t tstart, tend, after_term;
	unsigned int seen = 0;

	memset(r, 0, sizeof(*r));
	snprintf(r->origin, sizeof(r->origin), "%s", origin);
	r->line = line;
	if (strlen(text) >= sizeof(r->text))
		return fail_at(&p, 0, "rule is too long (at most %zu characters)", sizeof(r->text) - 1);
	strcpy(r->text, text);

	skip_spaces(&p);
	tstart = p.pos;
	if (!eq)
		return fail_at(&p, strlen(text), "expected '=' and an action after the failpoint name, as in 'name = return(-1)'");
	tend = (size_t)(eq - text);
	while (tend > tstart && (text[tend - 1] == ' ' || text[tend - 1] == '\t'))
		tend--;
	r->target_col = (int)tstart + 1;
	if (parse_target(&p, text + tstart, tend - tstart, tstart, r))
		return -1;

	p.pos = (size_t)(eq - text) + 1;
	for (;;) {
		skip_spaces(&p);
		if (r->nterms == FP_MAX_TERMS)
			return fail_at(&p, p.pos, "too many terms joined by '->' (at most %d)", FP_MAX_TERMS);
		if (parse_term(&p, &r->terms[r->nterms]))
			return -1;
		r->nterms++;
		after_term = p.pos;
		skip_spaces(&p);
		if (strncmp(text + p.pos, "->", 2)) {
			p.pos = after_term;	/* filters must be set apart by a space */
			break;
		}
		p.pos += 2;
	}
	while (text[p.pos]) {
		char tok[160];
		size_t end;

		size_t before = p.pos;

		skip_spaces(&p);
		if (!text[p.pos])
			break;
		if (p.pos == before)
			return fail_at(&p, p.pos, "expected '->' or a space before '%c'", text[p.pos]);
		end = token_end(text, p.pos);
		if (end - p.pos >= sizeof(tok))
			return fail_at(&p, p.pos, "filter is too long");
		memcpy(tok, text + p.pos, end - p.pos);
		tok[end - p.pos] = 0;
		if (parse_filter(&p, tok, p.pos, r, &seen))
			return -1;
		p.pos = end;
	}
	return check_actions_fit(&p, r);
}

/* Cuts a '#' comment: one that starts the line or follows whitespace, outside parentheses. */
static size_t line_content_len(const char *s, size_t len)
{
	int depth = 0;

	for (size_t i = 0; i < len; i++) {
		if (s[i] == '(')
			depth++;
		else if (s[i] == ')' && depth)
			depth--;
		else if (s[i] == '#' && !depth && (i == 0 || s[i - 1] == ' ' || s[i - 1] == '\t'))
			len = i;
	}
	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	return len;
}

int rules_split(const char *text, struct rule_span *spans, int max)
{
	int n = 0, depth = 0;
	bool quoted = false;
	size_t start = 0, i;

	for (i = 0;; i++) {
		char c = text[i];

		if (c == '"' && (i == 0 || text[i - 1] != '\\'))
			quoted = !quoted;
		else if (!quoted && c == '(')
			depth++;
		else if (!quoted && c == ')' && depth > 0)
			depth--;
		if (c && (c != ';' || quoted || depth))
			continue;
		if (n == max)
			return -1;
		spans[n++] = (struct rule_span){ start, i - start };
		if (!c)
			return n;
		start = i + 1;
	}
}

static bool blank_span(const char *text, const struct rule_span *sp)
{
	for (size_t i = 0; i < sp->len; i++)
		if (text[sp->start + i] != ' ' && text[sp->start + i] != '\t')
			return false;
	return true;
}

int rules_parse_line(const char *text, const char *origin, int line, struct rule *out, int max, char *err,
		     size_t errlen)
{
	struct rule_span spans[FP_MAX_RULES + 1];
	size_t len = strlen(text);
	char buf[1024];
	int nspans = rules_split(text, spans, FP_MAX_RULES + 1), n = 0;

	if (len >= sizeof(buf)) {
		snprintf(err, errlen, "%s:%d:1: line is too long", origin, line);
		return -1;
	}
	for (int k = 0; k < nspans; k++) {
		if (blank_span(text, &spans[k]))
			continue;	/* "a=off;" and ";;" are lists too */
		if (n == max || nspans < 0) {
			snprintf(err, errlen, "%s:%d:%zu: too many rules (at most %d in a session)", origin, line,
				 spans[k].start + 1, max);
			return -1;
		}
		/* The others blanked: columns in errors stay those of the whole line. */
		memset(buf, ' ', len);
		memcpy(buf + spans[k].start, text + spans[k].start, spans[k].len);
		buf[len] = 0;
		if (rule_parse(buf, origin, line, &out[n], err, errlen))
			return -1;
		n++;
	}
	if (nspans < 0) {
		snprintf(err, errlen, "%s:%d:1: too many rules (at most %d in a session)", origin, line, max);
		return -1;
	}
	return n;
}

int rules_parse_text(const char *text, const char *origin, struct rule *out, int max, char *err,
		     size_t errlen)
{
	int n = 0, line = 0;

	while (*text) {
		const char *nl = strchr(text, '\n');
		size_t len = nl ? (size_t)(nl - text) : strlen(text);
		size_t content = line_content_len(text, len);
		char buf[1024];
		size_t lead = 0;

		line++;
		while (lead < content && (text[lead] == ' ' || text[lead] == '\t'))
			lead++;
		if (lead < content) {
			if (content >= sizeof(buf)) {
				snprintf(err, errlen, "%s:%d:1: line is too long", origin, line);
				return -1;
			}
			int got;

			memcpy(buf, text, content);
			buf[content] = 0;
			got = rules_parse_line(buf, origin, line, out + n, max - n, err, errlen);
			if (got < 0)
				return -1;
			n += got;
		}
		text += nl ? len + 1 : len;
	}
	return n;
}

void rule_term_to_bpf(const struct rule_term *t, struct fp_term *out)
{
	static const __u32 map[] = {
		[RA_OFF] = FP_ACT_OFF,	   [RA_RETURN] = FP_ACT_RETURN, [RA_ERROR] = FP_ACT_RETURN,
		[RA_SLEEP] = FP_ACT_SLEEP, [RA_PAUSE] = FP_ACT_PAUSE,	[RA_YIELD] = FP_ACT_YIELD,
		[RA_PRINT] = FP_ACT_PRINT, [RA_PANIC] = FP_ACT_PANIC,	[RA_EXIT] = FP_ACT_EXIT,
		[RA_SIGNAL] = FP_ACT_SIGNAL, [RA_DELAY] = FP_ACT_SLEEP,
	};

	memset(out, 0, sizeof(*out));
	out->prob_ppm = t->prob_ppm;
	out->count = t->count;
	out->action = map[t->action];
	out->arg = t->arg;
	out->value = t->action == RA_DELAY ? FP_TERM_BUSY : t->value;
}

__u16 glob_kind(const char *pat, __u16 *literal_len)
{
	size_t len = strcspn(pat, "*?");

	*literal_len = (__u16)len;
	if (!pat[len])
		return FP_GLOB_LITERAL;
	return pat[len] == '*' && !pat[len + 1] ? FP_GLOB_PREFIX : FP_GLOB_GENERAL;
}

void rule_to_bpf(const struct rule *r, struct fp_rule *out)
{
	memset(out, 0, sizeof(*out));
	out->nterms = (__u32)r->nterms;
	out->pid = r->pid;
	out->tid = r->tid;
	out->uid = r->uid;
	out->flags = (r->has_uid ? FP_RF_UID : 0) | (r->cgroup[0] ? FP_RF_CGROUP : 0) |
		     (r->caller[0] ? FP_RF_CALLER : 0) | (r->callsite ? FP_RF_CALLSITE : 0) |
		     (r->census ? FP_RF_CENSUS : 0);
	out->after = r->after;
	out->when_first = r->when_first;
	out->when_last = r->when_last;
	out->when_step = r->when_step;
	memcpy(out->comm, r->comm, sizeof(out->comm));
	out->comm_kind = glob_kind(r->comm, &out->comm_len);
	for (int i = 0; i < r->nterms; i++)
		rule_term_to_bpf(&r->terms[i], &out->terms[i]);
	for (int i = 0; i < FP_MAX_ARGS; i++) {
		out->args[i].kind = r->args[i].kind;
		out->args[i].value = r->args[i].value;
		memcpy(out->args[i].glob, r->args[i].glob, sizeof(out->args[i].glob));
		out->args[i].glob_kind = glob_kind(r->args[i].glob, &out->args[i].glob_len);
	}
}

const char *rule_term_unsupported(const struct rule_term *t, bool has_slot, bool value_point)
{
	switch (t->action) {
	case RA_RETURN:
	case RA_ERROR:
		if (!has_slot)
			return "needs a failpoint made with fpbpf.h (this probe has no verdict slot)";
		if (!value_point)
			return "needs a value failpoint (FPBPF_FAIL); this one is FPBPF_POINT";
		return NULL;
	case RA_YIELD:
	case RA_EXIT:
		if (!has_slot)
			return "needs a failpoint made with fpbpf.h (this probe has no verdict slot)";
		return NULL;
	default:
		return NULL;
	}
}

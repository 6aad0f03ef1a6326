// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Sites and their faults. The errnos per syscall are ones the call really returns (its
 * manual page's ERRORS), so a failure explore injects is one a program can meet. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "elf/libdeps.h"
#include "elf/usdt_notes.h"
#include "explore/explore_sites.h"
#include "rules/names.h"
#include "rules/syscalls.h"
#include "util/num.h"

/* Opening, reading, writing, syncing, renaming, unlinking, connecting, sending,
 * receiving, allocating. brk is left out: glibc takes an error value for the new break. */
static const struct {
	const char *sys;
	const char *faults;	/* errno names, and "short" for a transfer of 1 byte */
} defaults[] = {
	{ "openat", "ENOENT,EACCES,EMFILE" },
	{ "read", "EIO,EINTR" },
	{ "pread64", "EIO" },
	{ "write", "EIO,ENOSPC,short" },
	{ "pwrite64", "EIO,ENOSPC,short" },
	{ "fsync", "EIO" },
	{ "fdatasync", "EIO" },
	{ "rename", "EACCES,ENOSPC" },
	{ "renameat2", "EACCES,ENOSPC" },
	{ "unlink", "EACCES,EIO" },
	{ "unlinkat", "EACCES,EIO" },
	{ "mkdir", "EACCES,ENOSPC" },
	{ "connect", "ECONNREFUSED,ETIMEDOUT" },
	{ "sendto", "ECONNRESET,EPIPE" },
	{ "recvfrom", "ECONNRESET" },
	{ "mmap", "ENOMEM" },
};

static int parse_fault(const char *word, bool is_sys, struct xs_fault *f, char *err, size_t errlen)
{
	int64_t v;
	int e;

	if (is_sys && !strcmp(word, "short")) {
		snprintf(f->action, sizeof(f->action), "return(1)");
		snprintf(f->label, sizeof(f->label), "short");
		return 0;
	}
	if (!is_sys && !num_i64(word, INT32_MIN, INT32_MAX, &v)) {
		snprintf(f->action, sizeof(f->action), "return(%lld)", (long long)v);
		snprintf(f->label, sizeof(f->label), "%lld", (long long)v);
		return 0;
	}
	e = word[0] == '-' ? errno_from_name(word + 1) : errno_from_name(word);
	if (e > 0 && errno_name(e)) {
		if (is_sys)
			snprintf(f->action, sizeof(f->action), "error(%s)", errno_name(e));
		else
			snprintf(f->action, sizeof(f->action), "return(-%d)", e);
		snprintf(f->label, sizeof(f->label), "%s", errno_name(e));
		return 0;
	}
	snprintf(err, errlen, "'%s': expected %s", word,
		 is_sys ? "an errno name (EIO), an errno number this machine knows, or short"
			: "a return value (-28) or an errno name (ENOSPC, meaning -28)");
	return -1;
}

/* A comma list of faults; 0, or -1 with err set. */
static int parse_faults(const char *list, bool is_sys, struct xs_site *site, char *err, size_t errlen)
{
	char buf[256], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", list);
	site->nfaults = 0;
	for (char *w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		if (site->nfaults == XS_MAX_FAULTS) {
			snprintf(err, errlen, "more than %d faults for %s", XS_MAX_FAULTS, site->target);
			return -1;
		}
		bool again = false;

		if (parse_fault(w, is_sys, &site->faults[site->nfaults], err, errlen))
			return -1;
		for (int k = 0; k < site->nfaults && !again; k++)
			again = !strcmp(site->faults[k].action, site->faults[site->nfaults].action);
		site->nfaults += !again;	/* EIO,5 is one fault */
	}
	if (!site->nfaults) {
		snprintf(err, errlen, "no fault given for %s", site->target);
		return -1;
	}
	return 0;
}

int xs_default_faults(const char *sys, struct xs_fault *out, int max)
{
	struct xs_site site = {};
	char err[128];
	const char *list = "EIO";

	for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
		if (!strcmp(defaults[i].sys, sys))
			list = defaults[i].faults;
	if (parse_faults(list, true, &site, err, sizeof(err)))
		return 0;
	for (int i = 0; i < site.nfaults && i < max; i++)
		out[i] = site.faults[i];
	return site.nfaults < max ? site.nfaults : max;
}

static struct xs_site *find_site(struct xs_sites *s, const char *target)
{
	for (int i = 0; i < s->n; i++)
		if (!strcmp(s->v[i].target, target))
			return &s->v[i];
	return NULL;
}

static int add_site(struct xs_sites *s, const char *target, bool is_sys, char *err, size_t errlen)
{
	struct xs_site *site;

	if (find_site(s, target))
		return 0;
	if (s->n == XS_MAX_SITES) {
		snprintf(err, errlen, "too many sites (at most %d)", XS_MAX_SITES);
		return -1;
	}
	site = &s->v[s->n];
	memset(site, 0, sizeof(*site));
	snprintf(site->target, sizeof(site->target), "%s", target);
	site->is_sys = is_sys;
	if (is_sys) {
		site->nfaults = xs_default_faults(target + 4, site->faults, XS_MAX_FAULTS);
	} else {
		site->nfaults = 1;
		snprintf(site->faults[0].action, sizeof(site->faults[0].action), "return(-%d)", EIO);
		snprintf(site->faults[0].label, sizeof(site->faults[0].label), "-%d", EIO);
	}
	s->n++;
	return 0;
}

static int add_syscall(struct xs_sites *s, const char *name, char *err, size_t errlen)
{
	struct sys_signature sig;
	char target[XS_TARGET_LEN], why[256];

	if (sys_number(name, why, sizeof(why)) < 0 || sys_signature(name, &sig) < 0) {
		snprintf(err, errlen, "sys:%s: not a syscall fpbpf knows here%s%s", name, why[0] ? ": " : "", why);
		return -1;
	}
	snprintf(target, sizeof(target), "sys:%s", name);
	return add_site(s, target, true, err, errlen);
}

int xs_add_default_syscalls(struct xs_sites *s, char *err, size_t errlen)
{
	for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++) {
		struct sys_signature sig;
		char why[256];

		if (sys_number(defaults[i].sys, why, sizeof(why)) < 0 || sys_signature(defaults[i].sys, &sig) < 0)
			continue;	/* not on this architecture */
		if (add_syscall(s, defaults[i].sys, err, errlen))
			return -1;
	}
	return 0;
}

int xs_add_spec(struct xs_sites *s, const char *spec, const char *const *failpoints, int nfp,
		char *err, size_t errlen)
{
	char buf[1024], *save = NULL;

	if (!strcmp(spec, "usdt")) {
		if (!nfp) {
			snprintf(err, errlen, "--sites usdt: the command and its libraries have no FPBPF_FAIL failpoint (give syscalls with --sites sys or sys:NAME)");
			return -1;
		}
		for (int i = 0; i < nfp; i++)
			if (add_site(s, failpoints[i], false, err, errlen))
				return -1;
		return 0;
	}
	if (!strcmp(spec, "sys"))
		return xs_add_default_syscalls(s, err, errlen);
	if (!strncmp(spec, "sys:", 4)) {
		if (!spec[4] || spec[4] == ',') {
			snprintf(err, errlen, "--sites %s: expected sys:NAME[,NAME] (like sys:write,fsync)", spec);
			return -1;
		}
		snprintf(buf, sizeof(buf), "%s", spec + 4);
		for (char *w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save))
			if (add_syscall(s, w, err, errlen))
				return -1;
		return 0;
	}
	for (int i = 0; i < nfp; i++)
		if (!strcmp(failpoints[i], spec))
			return add_site(s, spec, false, err, errlen);
	snprintf(err, errlen, "--sites %s: no FPBPF_FAIL failpoint of that name in the command or its libraries; expected usdt, sys, sys:NAME[,NAME] or a failpoint name%s",
		 spec, nfp ? "" : " (it has no failpoints at all)");
	return -1;
}

int xs_set_errors(struct xs_sites *s, const char *spec, char *err, size_t errlen)
{
	const char *eq = strchr(spec, '=');
	char target[XS_TARGET_LEN];
	struct xs_site *site;

	if (!eq || eq == spec || (size_t)(eq - spec) >= sizeof(target)) {
		snprintf(err, errlen, "--errors %s: expected SITE=FAULT[,FAULT] (like db_write=-28,-5 or sys:write=EIO,short)", spec);
		return -1;
	}
	snprintf(target, sizeof(target), "%.*s", (int)(eq - spec), spec);
	site = find_site(s, target);
	if (!site) {
		snprintf(err, errlen, "--errors %s: %s is not one of the sites explored (give it with --sites)", spec, target);
		return -1;
	}
	if (parse_faults(eq + 1, site->is_sys, site, err, errlen)) {
		char inner[256];

		snprintf(inner, sizeof(inner), "%s", err);
		snprintf(err, errlen, "--errors %s: %s", spec, inner);
		return -1;
	}
	return 0;
}

struct fp_list {
	char **v;
	int n, cap;
	int failed;
	char *err;
	size_t errlen;
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void collect(const char *path, void *arg)
{
	struct fp_list *l = arg;
	struct usdt_file f;
	char err[256];

	if (usdt_file_read(path, &f, err, sizeof(err)))
		return;	/* a library that cannot be read has no failpoints to explore */
	for (int i = 0; i < f.n; i++) {
		struct marker m;
		bool seen = false;

		if (!usdt_note_marker(&f, &f.notes[i], &m) || !m.value_point)
			continue;
		for (int j = 0; j < l->n && !seen; j++)
			seen = !strcmp(l->v[j], f.notes[i].name);
		if (seen)
			continue;
		if (l->n == l->cap) {
			int cap = l->cap ? l->cap * 2 : 16;
			char **grown = realloc(l->v, (size_t)cap * sizeof(*grown));

			if (!grown) {
				l->failed = -ENOMEM;
				break;
			}
			l->v = grown;
			l->cap = cap;
		}
		l->v[l->n] = strdup(f.notes[i].name);
		if (!l->v[l->n]) {
			l->failed = -ENOMEM;
			break;
		}
		l->n++;
	}
	usdt_file_free(&f);
}

int xs_failpoints(const char *path, char ***names, char *err, size_t errlen)
{
	struct fp_list l = { .err = err, .errlen = errlen };
	struct usdt_file f;

	*names = NULL;
	if (usdt_file_is_script(path))
		return 0;	/* no failpoints of its own: syscall sites only */
	if (usdt_file_read(path, &f, err, errlen))
		return -1;
	usdt_file_free(&f);
	collect(path, &l);
	libdeps_each(path, collect, &l);
	if (l.failed) {
		snprintf(err, errlen, "out of memory");
		xs_failpoints_free(l.v, l.n);
		return -1;
	}
	if (l.n)
		qsort(l.v, (size_t)l.n, sizeof(*l.v), cmp_str);
	*names = l.v;
	return l.n;
}

void xs_failpoints_free(char **names, int n)
{
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

const char *xs_site_name(const struct xs_site *s)
{
	return s->caller[0] ? s->name : s->target;
}

void xs_rule_text(const struct xs_site *s, const char *action, unsigned long long nth, char *out, size_t len)
{
	int n = action ? snprintf(out, len, "%s = %s when=%llu", s->target, action, nth)
		       : snprintf(out, len, "%s = off", s->target);

	if (s->caller[0] && n > 0 && (size_t)n < len)
		snprintf(out + n, len - (size_t)n, " callsite=%s", s->caller);
}

int xs_split(struct xs_sites *s, int i, const char *const *funcs, const char *const *where, int n)
{
	struct xs_site whole = s->v[i];

	if (n < 1)
		return 0;
	if (s->n + n - 1 > XS_MAX_SITES)
		return -E2BIG;
	memmove(&s->v[i + n], &s->v[i + 1], (size_t)(s->n - i - 1) * sizeof(s->v[0]));
	for (int k = 0; k < n; k++) {
		struct xs_site *v = &s->v[i + k];

		*v = whole;
		snprintf(v->caller, sizeof(v->caller), "%s", funcs[k]);
		snprintf(v->name, sizeof(v->name), "%s callsite=%s", whole.target, funcs[k]);
		snprintf(v->where, sizeof(v->where), "%s", where[k]);
	}
	s->n += n - 1;
	return 0;
}

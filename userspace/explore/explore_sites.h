/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* What fpbpf explore fails: its sites (failpoints, syscalls) and the faults each gets. */
#ifndef FPBPF_EXPLORE_SITES_H
#define FPBPF_EXPLORE_SITES_H

#include <stdbool.h>
#include <stddef.h>

#define XS_MAX_SITES 128
#define XS_MAX_FAULTS 6
#define XS_TARGET_LEN 128
#define XS_ACTION_LEN 48
#define XS_CALLER_LEN 128

struct xs_fault {
	char action[XS_ACTION_LEN];	/* as a rule writes it: error(EIO), return(-5), return(1) */
	char label[24];			/* as the report shows it: EIO, -5, short */
};

struct xs_site {
	char target[XS_TARGET_LEN];	/* sys:write, db_write */
	char caller[XS_CALLER_LEN];	/* a syscall split by calling function: its name */
	char name[XS_TARGET_LEN + XS_CALLER_LEN + 16];	/* "sys:write callsite=F" when split */
	char where[96];			/* when split: file:line of a call, if debug info says */
	char whole[160];		/* a syscall not split by calling function: why */
	bool is_sys;
	int nfaults;
	struct xs_fault faults[XS_MAX_FAULTS];
};

struct xs_sites {
	int n;
	struct xs_site v[XS_MAX_SITES];
};

/* Adds the sites one --sites SPEC names: "usdt" (every FPBPF_FAIL failpoint of the files
 * given to xs_add_failpoints), "sys:NAME,NAME", "sys" (the default syscalls), or a
 * failpoint name. A site already there is not added twice. 0, or -1 with err set. */
int xs_add_spec(struct xs_sites *s, const char *spec, const char *const *failpoints, int nfp,
		char *err, size_t errlen);
/* The default syscall set, those this machine knows the signature of. */
int xs_add_default_syscalls(struct xs_sites *s, char *err, size_t errlen);
/* --errors SITE=E,E: the faults of SITE replace its defaults. For syscalls E is an errno
 * name or number, or "short"; for failpoints the value returned (an errno name means
 * minus it). 0, or -1 with err set (unknown site, bad value). */
int xs_set_errors(struct xs_sites *s, const char *spec, char *err, size_t errlen);

/* How reports name a site: its target, and callsite= when split by calling function. */
const char *xs_site_name(const struct xs_site *s);
/* The rule text of a site: action at hit nth (action NULL: its counting rule, "off"). */
void xs_rule_text(const struct xs_site *s, const char *action, unsigned long long nth, char *out, size_t len);
/* Site i split by calling function: replaced by one site per function in funcs (n of
 * them; where[k] a file:line or ""), each with i's faults. 0, or -E2BIG past XS_MAX_SITES. */
int xs_split(struct xs_sites *s, int i, const char *const *funcs, const char *const *where, int n);

/* The FPBPF_FAIL failpoints in path and its libraries, sorted, each once (malloc'd
 * names); n, or -1 with err set. */
int xs_failpoints(const char *path, char ***names, char *err, size_t errlen);
void xs_failpoints_free(char **names, int n);

/* The documented default faults of a syscall (errnos, short transfer). */
int xs_default_faults(const char *sys, struct xs_fault *out, int max);

#endif

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "kernel_rules.h"
#include "libdeps.h"
#include "log.h"
#include "names.h"
#include "session.h"
#include "usdt_notes.h"

#define MAX_FILES 64
#define SYNC_STOP_WAIT_NS (200 * 1000000LL)

struct probe_ref {
	int file;		/* USDT only */
	char symbol[128];	/* sys:/kfunc: the kprobe's function */
	char provider[64];
	char name[64];
	bool has_slot;
	bool value_point;
	struct fp_probe cfg;
};

struct pending_write {
	pid_t pid;
	pid_t tid;
	__u64 slot;
	struct fp_verdict verdict;
};

struct stopped_proc {
	pid_t pid;
	long long resume_ns;	/* 0: until the session ends (pause) */
};

struct session {
	const struct session_opts *o;
	struct injector *inj;
	struct usdt_file files[MAX_FILES];
	int nfiles;
	struct probe_ref probes[FP_MAX_PROBES];
	int nprobes;
	struct pending_write *pending;
	int npending, cap_pending;
	struct stopped_proc stopped[64];
	int nstopped;
	pid_t *ever_stopped;	/* processes we stopped at least once: SIGCONT at teardown */
	int ever_stopped_cap, nstopped_ever;
	long long t0_ns;
	__u64 events;
};

static volatile sig_atomic_t exiting;
static volatile sig_atomic_t forward_sig;

static void on_signal(int sig, siginfo_t *info, void *uctx)
{
	(void)uctx;
	exiting = 1;
	/* kill(1) is forwarded to the command; a terminal's ^C already reached it. */
	if (info && info->si_code <= 0)
		forward_sig = sig;
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int add_file(struct session *s, const char *path)
{
	char err[512], real[PATH_MAX];

	if (!realpath(path, real)) {
		log_error("%s: %s", path, strerror(errno));
		return -1;
	}
	for (int i = 0; i < s->nfiles; i++)
		if (!strcmp(s->files[i].path, real))
			return i;
	if (s->nfiles == MAX_FILES) {
		log_error("too many files with probes (at most %d)", MAX_FILES);
		return -1;
	}
	if (usdt_file_read(real, &s->files[s->nfiles], err, sizeof(err))) {
		log_error("%s", err);
		return -1;
	}
	return s->nfiles++;
}

/* Libraries without notes are skipped rather than failing: most have none. */
static void add_library(const char *path, void *arg)
{
	struct session *s = arg;
	struct usdt_file probe;
	char err[256];

	if (usdt_file_read(path, &probe, err, sizeof(err)))
		return;
	if (probe.n)
		add_file(s, path);
	usdt_file_free(&probe);
}

/* Executable, file-backed mappings of a process: its binary and shared libraries. */
static int add_process_files(struct session *s, pid_t pid)
{
	char path[64], line[PATH_MAX + 128];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	if (add_file(s, path) < 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "re");
	if (!f) {
		log_error("%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char perms[8], *file = strchr(line, '/');

		if (sscanf(line, "%*s %7s", perms) != 1 || perms[2] != 'x' || !file)
			continue;
		file[strcspn(file, "\n")] = 0;
		if (strstr(file, " (deleted)"))
			continue;
		add_library(file, s);
	}
	fclose(f);
	return 0;
}

static const char *base_name(const char *p)
{
	const char *slash = strrchr(p, '/');

	return slash ? slash + 1 : p;
}

static void suggest(const struct rule *r, struct usdt_file *files, int nfiles, char *out, size_t len)
{
	const char *best[3] = {};
	size_t bestd[3] = { (size_t)-1, (size_t)-1, (size_t)-1 };
	size_t used = 0;

	for (int f = 0; f < nfiles; f++)
		for (int i = 0; i < files[f].n; i++) {
			const char *name = files[f].notes[i].name;
			size_t d = edit_distance(r->name, name);
			int dup = 0;

			for (int k = 0; k < 3; k++)
				dup |= best[k] && !strcmp(best[k], name);
			if (dup)
				continue;
			for (int k = 0; k < 3; k++)
				if (d < bestd[k]) {
					for (int m = 2; m > k; m--) {
						best[m] = best[m - 1];
						bestd[m] = bestd[m - 1];
					}
					best[k] = name;
					bestd[k] = d;
					break;
				}
		}
	out[0] = 0;
	for (int k = 0; k < 3 && best[k]; k++)
		used += (size_t)snprintf(out + used, used < len ? len - used : 0, "%s'%s'",
					 k ? ", " : "; closest: ", best[k]);
	if (!best[0])
		snprintf(out, len, "; the file has no USDT probes at all (is it built with fpbpf.h?)");
}

static struct probe_ref *new_probe(struct session *s, int file)
{
	struct probe_ref *p;

	if (s->nprobes == FP_MAX_PROBES) {
		log_error("too many probes (at most %d)", FP_MAX_PROBES);
		return NULL;
	}
	p = &s->probes[s->nprobes++];
	memset(p, 0, sizeof(*p));
	p->file = file;
	return p;
}

/* One kprobe per kernel function, shared by the rules that name it. */
static int add_kernel_probe(struct session *s, const struct rule *rule, int r)
{
	struct probe_ref *p = NULL;
	char sym[128];

	if (kernel_rule_symbol(rule, sym, sizeof(sym)))
		return -1;
	for (int k = 0; k < s->nprobes; k++)
		if (s->probes[k].cfg.kind != FP_PROBE_USDT && !strcmp(s->probes[k].symbol, sym))
			p = &s->probes[k];
	if (!p) {
		p = new_probe(s, -1);
		if (!p)
			return -1;
		snprintf(p->symbol, sizeof(p->symbol), "%s", sym);
		snprintf(p->provider, sizeof(p->provider), "%s", rule->kind == TARGET_SYS ? "sys" : "kfunc");
		snprintf(p->name, sizeof(p->name), "%s", rule->name);
		p->cfg.kind = rule->kind == TARGET_SYS ? FP_PROBE_SYSCALL : FP_PROBE_KFUNC;
	}
	if (p->cfg.nrules == FP_RULES_PER_PROBE) {
		log_error("%s:%d: too many rules for %s:%s (at most %d)", rule->origin, rule->line,
			  p->provider, p->name, FP_RULES_PER_PROBE);
		return -1;
	}
	p->cfg.rules[p->cfg.nrules++] = (__u32)r;
	return 0;
}

static int resolve(struct session *s, const struct rule *rules, int nrules)
{
	for (int r = 0; r < nrules; r++) {
		const struct rule *rule = &rules[r];
		int only = -1, found = 0;

		if (rule_is_kernel(rule)) {
			if (add_kernel_probe(s, rule, r))
				return -1;
			continue;
		}
		if (rule->path[0]) {
			only = add_file(s, rule->path);
			if (only < 0)
				return -1;
		}
		for (int f = 0; f < s->nfiles; f++) {
			if (only >= 0 && f != only)
				continue;
			for (int i = 0; i < s->files[f].n; i++) {
				const struct usdt_note *n = &s->files[f].notes[i];
				struct probe_ref *p = NULL;
				bool value_point = false, marker;

				if (strcmp(n->name, rule->name) || (rule->provider[0] && strcmp(n->provider, rule->provider)))
					continue;
				marker = usdt_note_is_marker(n, &value_point);
				for (int t = 0; t < rule->nterms; t++) {
					const char *why = rule_term_unsupported(&rule->terms[t], marker, value_point);

					if (why) {
						log_error("%s:%d:%d: %s at %s:%s in %s %s", rule->origin, rule->line,
							  rule->terms[t].col, rule_action_name(rule->terms[t].action),
							  n->provider, n->name, s->files[f].path, why);
						return -1;
					}
				}
				for (int a = 0; a < FP_MAX_ARGS; a++)
					if (rule->args[a].kind != FP_ARG_ANY && a >= usdt_note_ctx_args(n)) {
						log_error("%s:%d:%d: arg%d= filter, but %s:%s has %d context argument(s)",
							  rule->origin, rule->line, rule->target_col, a + 1,
							  n->provider, n->name, usdt_note_ctx_args(n));
						return -1;
					}
				for (int k = 0; k < s->nprobes; k++)
					if (s->probes[k].cfg.kind == FP_PROBE_USDT && s->probes[k].file == f && !strcmp(s->probes[k].provider, n->provider) &&
					    !strcmp(s->probes[k].name, n->name))
						p = &s->probes[k];
				if (!p) {
					p = new_probe(s, f);
					if (!p)
						return -1;
					snprintf(p->provider, sizeof(p->provider), "%s", n->provider);
					snprintf(p->name, sizeof(p->name), "%s", n->name);
					p->has_slot = marker;
					p->value_point = value_point;
					p->cfg.has_slot = marker;
				} else if (p->cfg.nrules && p->cfg.rules[p->cfg.nrules - 1] == (__u32)r) {
					found = 1;
					continue;	/* one more location of the same probe */
				}
				if (p->cfg.nrules == FP_RULES_PER_PROBE) {
					log_error("%s:%d: too many rules for %s:%s (at most %d)", rule->origin,
						  rule->line, n->provider, n->name, FP_RULES_PER_PROBE);
					return -1;
				}
				p->cfg.rules[p->cfg.nrules++] = (__u32)r;
				found = 1;
			}
		}
		if (!found) {
			char hint[256], where[512] = "";
			size_t used = 0;

			for (int f = 0; f < s->nfiles; f++)
				if (only < 0 || f == only)
					used += (size_t)snprintf(where + used, used < sizeof(where) ? sizeof(where) - used : 0,
								 "%s%s", used ? ", " : "", base_name(s->files[f].path));
			suggest(rule, only >= 0 ? &s->files[only] : s->files, only >= 0 ? 1 : s->nfiles, hint, sizeof(hint));
			log_error("%s:%d:%d: no failpoint '%s%s%s' in %s%s", rule->origin, rule->line,
				  rule->target_col, rule->provider, rule->provider[0] ? ":" : "", rule->name,
				  where, hint);
			return -1;
		}
	}
	return 0;
}

int session_resolve_check(const struct rule *rules, int nrules, struct usdt_file *files, int nfiles)
{
	struct session *s = calloc(1, sizeof(*s));
	int ret;

	if (!s)
		return -1;
	for (int i = 0; i < nfiles && i < MAX_FILES; i++)
		s->files[s->nfiles++] = files[i];
	ret = resolve(s, rules, nrules);
	for (int i = nfiles; i < s->nfiles; i++)
		usdt_file_free(&s->files[i]);
	free(s);
	return ret;
}

static const struct probe_ref *probe_of(const struct session *s, __u32 id)
{
	return id < (__u32)s->nprobes ? &s->probes[id] : NULL;
}

/* The arguments a sys: rule filtered on, as they were in the call: fd=3 path="/x". */
static void format_call_args(const struct rule *r, const struct fp_event *e, bool json, char *out, size_t len)
{
	size_t used = 0;

	out[0] = 0;
	for (int i = 0; r && r->kind == TARGET_SYS && i < FP_MAX_ARGS; i++) {
		const char *sep = used ? (json ? "," : " ") : "";

		if (r->args[i].kind == FP_ARG_ANY)
			continue;
		if (r->args[i].kind == FP_ARG_STR_GLOB) {
			char esc[FP_GLOB_LEN * 2 + 1];
			size_t k = 0;

			for (size_t c = 0; c < sizeof(e->str) && e->str[c]; c++) {
				if (e->str[c] == '"' || e->str[c] == '\\')
					esc[k++] = '\\';
				esc[k++] = (unsigned char)e->str[c] < 0x20 ? '?' : e->str[c];
			}
			esc[k] = 0;
			used += (size_t)snprintf(out + used, used < len ? len - used : 0, json ? "%s\"%s\":\"%s\"" : "%s%s=\"%s\"",
						 sep, r->arg_names[i], esc);
		} else {
			used += (size_t)snprintf(out + used, used < len ? len - used : 0, json ? "%s\"%s\":%lld" : "%s%s=%lld",
						 sep, r->arg_names[i], (long long)e->args[i]);
		}
	}
}

static void print_event(struct session *s, const struct fp_event *e, const char *type)
{
	const struct session_opts *o = s->o;
	const struct probe_ref *p = probe_of(s, e->probe);
	const struct rule *r = e->rule < (__u32)o->nrules ? &o->rules[e->rule] : NULL;
	const struct rule_term *t = r && e->term < (__u32)r->nterms ? &r->terms[e->term] : NULL;
	double ts = (double)((long long)e->ts_ns - s->t0_ns) / 1e9;
	const char *action = t && strcmp(type, "eval") ? rule_action_name(t->action) : "none";
	char value[64] = "", args[512];

	if (t && strcmp(type, "eval")) {
		if (t->action == RA_ERROR)
			snprintf(value, sizeof(value), "%" PRId64 " (%s)", t->value,
				 errno_name((int)-t->value) ? errno_name((int)-t->value) : "?");
		else if (t->action == RA_SIGNAL)
			snprintf(value, sizeof(value), "%s", signal_name((int)t->value) ? signal_name((int)t->value) : "?");
		else if (t->action == RA_SLEEP || t->action == RA_DELAY)
			snprintf(value, sizeof(value), "%ums", t->arg);
		else if (t->action == RA_RETURN || t->action == RA_EXIT)
			snprintf(value, sizeof(value), "%" PRId64, t->value);
		else if (t->msg[0])
			snprintf(value, sizeof(value), "%s", t->msg);
	}
	s->events++;
	if (o->json) {
		fprintf(o->out, "{\"v\":1,\"type\":\"%s\",\"time\":%.6f,\"pid\":%u,\"tid\":%u,\"comm\":",
			type, ts, e->pid, e->tid);
		json_print_string(o->out, e->comm);
		fprintf(o->out, ",\"provider\":\"%s\",\"failpoint\":\"%s\",\"rule\":", p ? p->provider : "?",
			p ? p->name : "?");
		if (r) {
			char where[300];

			snprintf(where, sizeof(where), "%s:%d", r->origin, r->line);
			json_print_string(o->out, where);
		} else {
			fputs("null", o->out);
		}
		fprintf(o->out, ",\"term\":%u,\"hit\":%" PRIu64 ",\"action\":\"%s\"", e->term, (uint64_t)e->hit, action);
		if (t && (t->action == RA_RETURN || t->action == RA_ERROR || t->action == RA_EXIT || t->action == RA_SIGNAL))
			fprintf(o->out, ",\"value\":%" PRId64, t->value);
		if (t && (t->action == RA_SLEEP || t->action == RA_DELAY))
			fprintf(o->out, ",\"ms\":%u", t->arg);
		if (t && t->msg[0]) {
			fputs(",\"message\":", o->out);
			json_print_string(o->out, t->msg);
		}
		format_call_args(r, e, true, args, sizeof(args));
		if (args[0])
			fprintf(o->out, ",\"args\":{%s}", args);
		fputs("}\n", o->out);
	} else {
		format_call_args(r, e, false, args, sizeof(args));
		fprintf(o->out, "%12.6f %-6s %s:%s pid=%u tid=%u comm=%s rule=%s:%d hit=%" PRIu64 " action=%s%s%s%s%s\n",
			ts, type, p ? p->provider : "?", p ? p->name : "?", e->pid, e->tid, e->comm,
			r ? r->origin : "?", r ? r->line : 0, (uint64_t)e->hit, action, value[0] ? " " : "", value,
			args[0] ? " " : "", args);
	}
	fflush(o->out);
}

static void remember_stopped(struct session *s, pid_t pid)
{
	for (int i = 0; i < s->nstopped_ever; i++)
		if (s->ever_stopped[i] == pid)
			return;
	if (s->nstopped_ever == s->ever_stopped_cap) {
		int cap = s->ever_stopped_cap ? s->ever_stopped_cap * 2 : 16;
		pid_t *grown = realloc(s->ever_stopped, (size_t)cap * sizeof(*grown));

		if (!grown)
			return;
		s->ever_stopped = grown;
		s->ever_stopped_cap = cap;
	}
	s->ever_stopped[s->nstopped_ever++] = pid;
}

static void hold_stopped(struct session *s, pid_t pid, long long resume_ns)
{
	for (int i = 0; i < s->nstopped; i++)
		if (s->stopped[i].pid == pid) {
			if (!resume_ns || (s->stopped[i].resume_ns && resume_ns > s->stopped[i].resume_ns))
				s->stopped[i].resume_ns = resume_ns;
			return;
		}
	if (s->nstopped < (int)(sizeof(s->stopped) / sizeof(s->stopped[0])))
		s->stopped[s->nstopped++] = (struct stopped_proc){ pid, resume_ns };
}

static bool is_held(const struct session *s, pid_t pid)
{
	for (int i = 0; i < s->nstopped; i++)
		if (s->stopped[i].pid == pid)
			return true;
	return false;
}

static int on_event(void *ctx, const struct fp_event *e)
{
	struct session *s = ctx;

	switch (e->kind) {
	case FP_EV_STOP_WRITE:
		remember_stopped(s, (pid_t)e->pid);
		if (s->npending == s->cap_pending) {
			int cap = s->cap_pending ? s->cap_pending * 2 : 16;
			struct pending_write *grown = realloc(s->pending, (size_t)cap * sizeof(*grown));

			if (!grown) {
				/* Cannot queue the write: continue the thread rather than leave it stopped. */
				kill((pid_t)e->pid, SIGCONT);
				return 0;
			}
			s->pending = grown;
			s->cap_pending = cap;
		}
		s->pending[s->npending++] = (struct pending_write){ (pid_t)e->pid, (pid_t)e->tid, e->slot, e->verdict };
		if (e->hit)	/* hit 0: a waiter being released, not a new injection */
			print_event(s, e, "inject");
		break;
	case FP_EV_STOP_SLEEP:
	case FP_EV_STOP_PAUSE:
		remember_stopped(s, (pid_t)e->pid);
		hold_stopped(s, (pid_t)e->pid,
			     e->kind == FP_EV_STOP_PAUSE ? 0 : now_ns() + (long long)e->verdict.arg * 1000000LL);
		print_event(s, e, "inject");
		break;
	case FP_EV_INJECT:
		print_event(s, e, "inject");
		break;
	case FP_EV_EVAL:
		print_event(s, e, "eval");
		break;
	}
	return 0;
}

static char proc_state(pid_t pid, const char *tid)
{
	char path[320], buf[512], *paren;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/task/%s/stat", pid, tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 'X';
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 'X';
	buf[n] = 0;
	paren = strrchr(buf, ')');
	return paren && paren[1] == ' ' ? paren[2] : 'X';
}

/* Until every thread is in the group stop, some thread may still be between pushing its
 * record and stopping; a SIGCONT sent then would release it before its verdict lands. */
static void wait_group_stopped(pid_t pid)
{
	long long deadline = now_ns() + SYNC_STOP_WAIT_NS;
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	do {
		DIR *d = opendir(path);
		struct dirent *de;
		bool all = true;

		if (!d)
			return;
		while ((de = readdir(d))) {
			char st;

			if (de->d_name[0] == '.')
				continue;
			st = proc_state(pid, de->d_name);
			if (st != 'T' && st != 't' && st != 'Z' && st != 'X')
				all = false;
		}
		closedir(d);
		if (all)
			return;
		usleep(50);
	} while (now_ns() < deadline);
	pr_warn("fpbpf: process %d did not stop within 200ms; continuing it anyway\n", pid);
}

/* process_vm_writev needs CONFIG_CROSS_MEMORY_ATTACH; /proc/PID/mem reaches the same
 * memory on kernels built without it. Returns 0 once all of local landed. */
static int write_target_memory(pid_t pid, const struct iovec *local, const struct iovec *remote)
{
	char path[64];
	ssize_t n;
	int fd;

	n = process_vm_writev(pid, local, 1, remote, 1, 0);
	if (n == (ssize_t)local->iov_len)
		return 0;
	if (n >= 0 || errno != ENOSYS)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = pwrite(fd, local->iov_base, local->iov_len, (off_t)(uintptr_t)remote->iov_base);
	close(fd);
	return n == (ssize_t)local->iov_len ? 0 : -1;
}

static void deliver_pending(struct session *s)
{
	while (s->npending) {
		pid_t pid = s->pending[0].pid;
		int kept = 0;

		wait_group_stopped(pid);
		injector__consume(s->inj, on_event, s);
		for (int i = 0; i < s->npending; i++) {
			struct pending_write *w = &s->pending[i];
			struct iovec local = { &w->verdict, sizeof(w->verdict) };
			struct iovec remote = { (void *)(uintptr_t)w->slot, sizeof(w->verdict) };

			if (w->pid != pid) {
				s->pending[kept++] = *w;
				continue;
			}
			if (write_target_memory(pid, &local, &remote) && errno != ESRCH)
				pr_warn("fpbpf: cannot write verdict into %d/%d at 0x%llx: %s\n", pid, w->tid,
					(unsigned long long)w->slot, strerror(errno));
		}
		s->npending = kept;
		if (!is_held(s, pid))
			kill(pid, SIGCONT);
	}
}

static long long release_due(struct session *s)
{
	long long now = now_ns(), next = 0;
	int kept = 0;

	for (int i = 0; i < s->nstopped; i++) {
		struct stopped_proc *p = &s->stopped[i];

		if (p->resume_ns && p->resume_ns <= now) {
			kill(p->pid, SIGCONT);
			continue;
		}
		if (p->resume_ns && (!next || p->resume_ns < next))
			next = p->resume_ns;
		s->stopped[kept++] = *p;
	}
	s->nstopped = kept;
	return next;
}

static void print_summary(struct session *s)
{
	const struct session_opts *o = s->o;
	__u64 dropped = injector__dropped(s->inj);

	if (o->json) {
		fputs("{\"v\":1,\"type\":\"summary\",\"rules\":[", o->out);
		for (int i = 0; i < o->nrules; i++) {
			struct fp_rule_state st = {};

			injector__rule_state(s->inj, (__u32)i, &st);
			fprintf(o->out, "%s{\"rule\":\"%s:%d\",\"text\":", i ? "," : "", o->rules[i].origin, o->rules[i].line);
			json_print_string(o->out, o->rules[i].text);
			fprintf(o->out, ",\"evaluated\":%llu,\"matched\":%llu,\"injected\":%llu}",
				(unsigned long long)st.evaluated, (unsigned long long)st.matched,
				(unsigned long long)st.injected);
		}
		fprintf(o->out, "],\"dropped\":%llu}\n", (unsigned long long)dropped);
		fflush(o->out);
		return;
	}
	fprintf(o->out, "fpbpf: summary\n  %-40s %10s %10s %10s\n", "rule", "evaluated", "matched", "injected");
	for (int i = 0; i < o->nrules; i++) {
		struct fp_rule_state st = {};
		char where[RULE_PATH_LEN + FP_NAME_LEN + 16];

		injector__rule_state(s->inj, (__u32)i, &st);
		snprintf(where, sizeof(where), "%s:%d %s", o->rules[i].origin, o->rules[i].line, o->rules[i].name);
		fprintf(o->out, "  %-40s %10llu %10llu %10llu%s\n", where, (unsigned long long)st.evaluated,
			(unsigned long long)st.matched, (unsigned long long)st.injected,
			st.evaluated ? "" : "  (never hit)");
	}
	fprintf(o->out, "  events: %llu, dropped: %llu%s\n", (unsigned long long)s->events,
		(unsigned long long)dropped, dropped ? " (ring buffer full: lower event volume or drop -v)" : "");
	fflush(o->out);
}

static char *find_in_path(const char *cmd)
{
	const char *path = getenv("PATH");
	char buf[PATH_MAX];

	if (strchr(cmd, '/'))
		return realpath(cmd, NULL);
	if (!path)
		path = "/usr/bin:/bin";
	while (*path) {
		size_t len = strcspn(path, ":");

		snprintf(buf, sizeof(buf), "%.*s/%s", (int)len, path, cmd);
		if (access(buf, X_OK) == 0)
			return realpath(buf, NULL);
		path += len + (path[len] == ':');
	}
	errno = ENOENT;
	return NULL;
}

static int set_rule_cgroup(struct session *s, int rid)
{
	const struct rule *r = &s->o->rules[rid];
	struct statfs sfs;
	int fd, err;

	fd = open(r->cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		log_error("%s:%d: cgroup=%s: %s", r->origin, r->line, r->cgroup, strerror(errno));
		return -1;
	}
	if (fstatfs(fd, &sfs) || sfs.f_type != CGROUP2_SUPER_MAGIC) {
		log_error("%s:%d: cgroup=%s is not a cgroup v2 directory", r->origin, r->line, r->cgroup);
		close(fd);
		return -1;
	}
	/* The map keeps its own reference to the cgroup. */
	err = injector__set_cgroup(s->inj, (__u32)rid, fd);
	close(fd);
	if (err)
		log_error("%s:%d: cgroup=%s: %s", r->origin, r->line, r->cgroup, strerror(-err));
	return err ? -1 : 0;
}

static int fill_maps(struct session *s)
{
	const struct session_opts *o = s->o;
	int err;

	for (int i = 0; i < o->nrules; i++) {
		struct fp_rule br;

		rule_to_bpf(&o->rules[i], &br);
		err = injector__set_rule(s->inj, (__u32)i, &br);
		if (err) {
			log_error("cannot store rule %s:%d: %s", o->rules[i].origin, o->rules[i].line, strerror(-err));
			return err;
		}
		if (o->rules[i].cgroup[0] && set_rule_cgroup(s, i))
			return -1;
	}
	for (int i = 0; i < s->nprobes; i++) {
		const struct probe_ref *p = &s->probes[i];

		err = injector__set_probe(s->inj, (__u32)i, &p->cfg);
		if (!err && p->cfg.kind == FP_PROBE_USDT)
			err = injector__attach_probe(s->inj, (__u32)i, s->files[p->file].path, p->provider, p->name);
		else if (!err)
			err = injector__attach_kprobe(s->inj, (__u32)i, p->symbol);
		if (err)
			return err;
	}
	return injector__attach_tracking(s->inj);
}

static void print_session_line(struct session *s, pid_t target)
{
	const char *delivery = injector__direct_write(s->inj)
		? "direct write (bpf_probe_write_user)"
		: "stop-and-write (bpf_probe_write_user unavailable: the process briefly stops on each injection)";

	if (s->o->json) {
		fprintf(s->o->out, "{\"v\":1,\"type\":\"session\",\"delivery\":\"%s\",\"probes\":%d,\"rules\":%d,\"pid\":%d}\n",
			injector__direct_write(s->inj) ? "write" : "stop", s->nprobes, s->o->nrules, target);
		fflush(s->o->out);
	}
	fprintf(stderr, "fpbpf: delivery: %s; %d rule(s) on %d probe(s)\n", delivery, s->o->nrules, s->nprobes);
}

int session_main(const struct session_opts *o)
{
	struct session *s = calloc(1, sizeof(*s));
	struct injector_opts iopts = { .delivery = o->delivery, .emit_evals = log_verbosity >= LOG_INFO };
	struct sigaction sa = { .sa_sigaction = on_signal, .sa_flags = SA_SIGINFO };
	int sync_pipe[2] = { -1, -1 }, status = 0, ret = 1;
	pid_t child = 0, target = 0;
	char *cmd_path = NULL;

	if (!s)
		return 1;
	s->o = o;
	if (o->argv) {
		cmd_path = find_in_path(o->argv[0]);
		if (!cmd_path) {
			log_error("%s: command not found", o->argv[0]);
			ret = 127;
			goto out;
		}
		if (add_file(s, cmd_path) < 0)
			goto out;
		libdeps_each(cmd_path, add_library, s);
	} else if (o->pid) {
		if (o->pid == 1 || o->pid == getpid()) {
			log_error("refusing to target pid %d (%s)", o->pid, o->pid == 1 ? "init" : "fpbpf itself");
			ret = 2;
			goto out;
		}
		if (kill(o->pid, 0) && errno == ESRCH) {
			log_error("no process with pid %d", o->pid);
			ret = 2;
			goto out;
		}
		target = o->pid;
		if (add_process_files(s, o->pid))
			goto out;
	} else if (o->binary && add_file(s, o->binary) < 0) {
		goto out;
	}
	ret = kernel_rules_prepare(o->rules, o->nrules, o->argv || o->pid, o->all_processes);
	if (ret)
		goto out;
	ret = 1;
	if (resolve(s, o->rules, o->nrules)) {
		ret = 2;
		goto out;
	}

	iopts.filter_targets = o->argv || o->pid;
	for (int i = 0; i < o->nrules; i++)
		iopts.kernel_probes |= rule_is_kernel(&o->rules[i]);
	s->inj = injector__new();
	if (!s->inj || injector__load(s->inj, &iopts))
		goto out;

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	if (o->argv) {
		if (pipe2(sync_pipe, O_CLOEXEC)) {
			log_error("pipe: %s", strerror(errno));
			goto out;
		}
		child = fork();
		if (child < 0) {
			log_error("fork: %s", strerror(errno));
			goto out;
		}
		if (child == 0) {
			char go;

			close(sync_pipe[1]);
			/* Exec only once every probe is attached, so the first hit is already seen. */
			if (read(sync_pipe[0], &go, 1) != 1)
				_exit(127);
			execv(cmd_path, o->argv);
			fprintf(stderr, "fpbpf: exec %s: %s\n", cmd_path, strerror(errno));
			_exit(127);
		}
		close(sync_pipe[0]);
		sync_pipe[0] = -1;
		target = child;
	}
	if (target && injector__add_target(s->inj, target)) {
		log_error("cannot add target %d: %s", target, strerror(errno));
		goto out;
	}
	if (fill_maps(s))
		goto out;
	s->t0_ns = now_ns();
	print_session_line(s, target);
	if (child) {
		if (write(sync_pipe[1], "g", 1) != 1) {
			log_error("cannot start %s: %s", o->argv[0], strerror(errno));
			goto out;
		}
		close(sync_pipe[1]);
		sync_pipe[1] = -1;
	}

	ret = 0;
	for (;;) {
		long long next = release_due(s);
		int timeout = 100, err;

		if (next) {
			long long ms = (next - now_ns()) / 1000000 + 1;

			timeout = ms < timeout ? (int)(ms > 0 ? ms : 1) : timeout;
		}
		err = injector__poll(s->inj, timeout, on_event, s);
		if (err < 0 && err != -EINTR) {
			log_error("polling events: %s", strerror(-err));
			ret = 1;
			break;
		}
		deliver_pending(s);
		if (forward_sig && child) {
			kill(child, forward_sig);
			forward_sig = 0;
		}
		if (child) {
			pid_t w = waitpid(child, &status, WNOHANG);

			if (w == child) {
				ret = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
				child = 0;
				break;
			}
		} else if (exiting) {
			break;
		} else if (target && kill(target, 0) && errno == ESRCH) {
			pr_info("fpbpf: target %d exited\n", target);
			break;
		}
	}
	injector__consume(s->inj, on_event, s);
	deliver_pending(s);
	print_summary(s);
out:
	/* Detach first: paused markers see their semaphore drop and resume on their own. */
	if (s->inj) {
		injector__free(s->inj);
		s->inj = NULL;
	}
	for (int i = 0; i < s->nstopped_ever; i++)
		kill(s->ever_stopped[i], SIGCONT);
	if (child > 0) {
		if (sync_pipe[1] >= 0) {
			kill(child, SIGKILL);	/* never exec'd: nothing of the user's ran */
			close(sync_pipe[1]);
			sync_pipe[1] = -1;
		}
		while (waitpid(child, &status, 0) < 0 && errno == EINTR)
			;
		if (ret == 0)
			ret = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	}
	if (sync_pipe[0] >= 0)
		close(sync_pipe[0]);
	if (sync_pipe[1] >= 0)
		close(sync_pipe[1]);
	for (int i = 0; i < s->nfiles; i++)
		usdt_file_free(&s->files[i]);
	free(s->pending);
	free(s->ever_stopped);
	free(cmd_path);
	free(s);
	return ret;
}

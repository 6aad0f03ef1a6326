// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <fnmatch.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif
#include <bpf/bpf.h>
#include "engine/seccomp_sup.h"
#include "engine/user_stack.h"
#include "util/procmem.h"
#include "util/log.h"

#if defined(__x86_64__)
#define SUP_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define SUP_AUDIT_ARCH AUDIT_ARCH_AARCH64
#endif

#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

struct delayed {
	__u64 id;
	long long due_ns;
};

struct seccomp_sup {
	int decide_fd;
	struct fp_seccomp_call *call;
	int listener, timer;
	bool started;		/* the command exec'd: calls before are fpbpf's own child's */
	int nr[SUP_MAX_SYSCALLS];
	__u32 probe[SUP_MAX_SYSCALLS];
	int n;
	struct sup_needs *needs;	/* FP_MAX_PROBES */
	struct ustack_syms *syms;	/* caller=: symbol tables of the files stacks pass */
	bool stack_warned;		/* a stack that could not be read was said, once */
	struct delayed *delays;
	int ndelays, cap_delays;
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
	size_t req_size, resp_size;
};

/* The ids of calls received and not answered yet, in memory the guardian shares (it forks
 * after the supervisor exists). A controller killed between receiving a call and answering
 * it would leave the caller waiting forever: the guardian answers these first. */
#define INFLIGHT_MAX 4096
static __u64 *inflight;		/* MAP_SHARED; 0 is a free slot */
static int inflight_hwm;	/* slots at or past it were never used */

static void inflight_init(void)
{
	void *p;

	if (inflight)
		return;
	p = mmap(NULL, INFLIGHT_MAX * sizeof(__u64), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	inflight = p == MAP_FAILED ? NULL : p;
}

static void inflight_add(__u64 id)
{
	for (int i = 0; inflight && i < INFLIGHT_MAX; i++)
		if (!__atomic_load_n(&inflight[i], __ATOMIC_RELAXED)) {
			__atomic_store_n(&inflight[i], id, __ATOMIC_RELEASE);
			if (i >= inflight_hwm)
				inflight_hwm = i + 1;
			return;
		}
}

static void inflight_del(__u64 id)
{
	for (int i = 0; inflight && i < inflight_hwm; i++)
		if (__atomic_load_n(&inflight[i], __ATOMIC_RELAXED) == id) {
			__atomic_store_n(&inflight[i], 0, __ATOMIC_RELEASE);
			return;
		}
}

static long long mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* The kernel's structs may be larger than this build's headers know. */
static int notif_sizes(size_t *req, size_t *resp)
{
	struct seccomp_notif_sizes sz = {};

	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sz))
		return -errno;
	*req = sz.seccomp_notif > sizeof(struct seccomp_notif) ? sz.seccomp_notif : sizeof(struct seccomp_notif);
	*resp = sz.seccomp_notif_resp > sizeof(struct seccomp_notif_resp) ? sz.seccomp_notif_resp
									     : sizeof(struct seccomp_notif_resp);
	return 0;
}

struct seccomp_sup *seccomp_sup__new(int decide_fd, struct fp_seccomp_call *call)
{
	struct seccomp_sup *sup = calloc(1, sizeof(*sup));

	if (!sup)
		return NULL;
	sup->decide_fd = decide_fd;
	sup->call = call;
	sup->listener = sup->timer = -1;
	inflight_init();
	sup->needs = calloc(FP_MAX_PROBES, sizeof(*sup->needs));
	sup->syms = ustack_syms__new();
	if (!sup->needs || !sup->syms || notif_sizes(&sup->req_size, &sup->resp_size) ||
	    !(sup->req = calloc(1, sup->req_size)) || !(sup->resp = calloc(1, sup->resp_size))) {
		seccomp_sup__free(sup);
		return NULL;
	}
	return sup;
}

void seccomp_sup__free(struct seccomp_sup *sup)
{
	if (!sup)
		return;
	if (sup->listener >= 0)
		close(sup->listener);
	if (sup->timer >= 0)
		close(sup->timer);
	free(sup->needs);
	ustack_syms__free(sup->syms);
	free(sup->delays);
	free(sup->req);
	free(sup->resp);
	free(sup);
}

int seccomp_sup__add(struct seccomp_sup *sup, int nr, __u32 probe_id)
{
	if (sup->started || sup->listener >= 0)
		return -EBUSY;
	for (int i = 0; i < sup->n; i++)
		if (sup->nr[i] == nr) {
			sup->probe[i] = probe_id;
			return 0;
		}
	if (sup->n == SUP_MAX_SYSCALLS)
		return -E2BIG;
	sup->nr[sup->n] = nr;
	sup->probe[sup->n++] = probe_id;
	return 0;
}

bool seccomp_sup__wanted(const struct seccomp_sup *sup)
{
	return sup && sup->n > 0;
}

void seccomp_sup__set_needs(struct seccomp_sup *sup, __u32 probe_id, const struct sup_needs *n)
{
	if (probe_id < FP_MAX_PROBES)
		sup->needs[probe_id] = *n;
}

int seccomp_sup__probes(const struct seccomp_sup *sup, __u32 *ids, int max)
{
	int n = 0;

	for (int i = 0; sup && i < sup->n && n < max; i++)
		ids[n++] = sup->probe[i];
	return n;
}

/* Targeted syscalls go to the supervisor, the rest run. exec is always handed over: the
 * first one is how the supervisor learns its command started. */
static int build_filter(const struct seccomp_sup *sup, struct sock_filter *f, int max)
{
	int execs[] = { SYS_execve, SYS_execveat }, n = 0, k = sup->n + 2, len;

	len = 4 + k + 2;
	if (len > max || k > 250)
		return -E2BIG;
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SUP_AUDIT_ARCH, 1, 0);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
	for (int i = 0; i < k; i++) {
		int nr = i < sup->n ? sup->nr[i] : execs[i - sup->n];

		/* Jump over the compares left and the ALLOW, to the NOTIFY. */
		f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (__u32)nr, (__u8)(k - i), 0);
	}
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF);
	return n;
}

int seccomp_sup__child_install(const struct seccomp_sup *sup, int report_fd)
{
	struct sock_filter f[SUP_MAX_SYSCALLS + 16];
	struct sock_fprog prog;
	int next, fd, n = build_filter(sup, f, (int)(sizeof(f) / sizeof(f[0])));

	if (n < 0)
		return n;
	prog = (struct sock_fprog){ .len = (unsigned short)n, .filter = f };
	/* The listener takes the lowest free descriptor: this one. */
	next = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (next < 0)
		return -errno;
	close(next);
	if (write(report_fd, &next, sizeof(next)) != sizeof(next))
		return -EIO;
	/* Killable waits (5.19) keep a signal fpbpf sends from interrupting the call it
	 * holds: the signal then arrives as the call returns, as with the other backends. */
	fd = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
			  SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, &prog);
	if (fd < 0 && errno == EINVAL)
		fd = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
	if (fd < 0) {
		/* No filter: this write cannot be handed to anyone. */
		int err = -errno;

		(void)!write(report_fd, &err, sizeof(err));
		return err;
	}
	return 0;
}

static bool is_listener(int fd)
{
	char path[64], target[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return false;
	target[n] = 0;
	return strstr(target, "seccomp") != NULL;
}

/* The child reported the descriptor, then installs its filter and execs: its exec waits
 * for this supervisor, so the listener is there to take until it is answered. */
int seccomp_sup__adopt(struct seccomp_sup *sup, pid_t child, int report_fd)
{
	int pidfd, next = -1, err = 0, fd = -1;
	long long deadline = mono_ns() + 10000000000LL;

	if (read(report_fd, &next, sizeof(next)) != sizeof(next))
		return -ECHILD;
	pidfd = (int)syscall(SYS_pidfd_open, child, 0);
	if (pidfd < 0)
		return -errno;
	while (mono_ns() < deadline) {
		struct pollfd pfd = { .fd = report_fd, .events = POLLIN };

		fd = (int)syscall(SYS_pidfd_getfd, pidfd, next, 0);
		if (fd >= 0 && is_listener(fd))
			break;
		if (fd >= 0)
			close(fd);	/* not yet the listener: the filter is still being installed */
		fd = -1;
		/* A tenth of a millisecond: explore starts its command hundreds of times. */
		if (ppoll(&pfd, 1, &(struct timespec){ 0, 100000 }, NULL) > 0) {
			if (read(report_fd, &err, sizeof(err)) != sizeof(err))
				err = -ECHILD;
			break;
		}
	}
	close(pidfd);
	if (fd < 0) {
		log_error("seccomp: cannot take the command's listener: %s", strerror(err ? -err : ETIMEDOUT));
		return err ? err : -ETIMEDOUT;
	}
	sup->listener = fd;
	if (sup->timer < 0)
		sup->timer = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	return sup->timer < 0 ? -errno : 0;
}

void seccomp_sup__command_ended(struct seccomp_sup *sup)
{
	if (!sup)
		return;
	seccomp_sup__release_all(sup);
	if (sup->listener >= 0)
		close(sup->listener);
	sup->listener = -1;
	sup->started = false;
}

int seccomp_sup__listener(const struct seccomp_sup *sup)
{
	return sup ? sup->listener : -1;
}

int seccomp_sup__timer(const struct seccomp_sup *sup)
{
	return sup ? sup->timer : -1;
}

static int respond(int listener, struct seccomp_notif_resp *resp, size_t size, __u64 id, __s64 val,
		   __s32 error, __u32 flags)
{
	memset(resp, 0, size);
	resp->id = id;
	resp->val = val;
	resp->error = error;
	resp->flags = flags;
	/* ENOENT: the caller is gone or was interrupted; nothing waits for an answer. */
	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, resp) && errno != ENOENT)
		return -errno;
	inflight_del(id);
	return 0;
}

static void resume(struct seccomp_sup *sup, __u64 id)
{
	respond(sup->listener, sup->resp, sup->resp_size, id, 0, 0, SECCOMP_USER_NOTIF_FLAG_CONTINUE);
}

static void arm_timer(struct seccomp_sup *sup)
{
	struct itimerspec its = {};
	long long next = 0;

	for (int i = 0; i < sup->ndelays; i++)
		if (!next || sup->delays[i].due_ns < next)
			next = sup->delays[i].due_ns;
	if (next) {
		its.it_value.tv_sec = next / 1000000000LL;
		its.it_value.tv_nsec = next % 1000000000LL;
	}
	timerfd_settime(sup->timer, TFD_TIMER_ABSTIME, &its, NULL);
}

/* delay(MS): only the calling thread waits, in its syscall, then the call runs. */
static void delay(struct seccomp_sup *sup, __u64 id, __u32 ms)
{
	if (sup->ndelays == sup->cap_delays) {
		int cap = sup->cap_delays ? sup->cap_delays * 2 : 16;
		struct delayed *grown = realloc(sup->delays, (size_t)cap * sizeof(*grown));

		if (!grown) {
			resume(sup, id);	/* nowhere to keep it: never leave a caller waiting */
			return;
		}
		sup->delays = grown;
		sup->cap_delays = cap;
	}
	sup->delays[sup->ndelays++] = (struct delayed){ id, mono_ns() + (long long)ms * 1000000LL };
	arm_timer(sup);
}

static int probe_of(const struct seccomp_sup *sup, int nr)
{
	for (int i = 0; i < sup->n; i++)
		if (sup->nr[i] == nr)
			return (int)sup->probe[i];
	return -1;
}

static void read_line_of(pid_t tid, const char *file, const char *key, char *out, size_t len)
{
	char path[64], line[512];
	FILE *f;

	out[0] = 0;
	snprintf(path, sizeof(path), "/proc/%d/%s", tid, file);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (!key || !strncmp(line, key, strlen(key))) {
			line[strcspn(line, "\n")] = 0;
			snprintf(out, len, "%s", line + (key ? strlen(key) : 0));
			break;
		}
	fclose(f);
}

/* A C string from the caller's memory. Reading through the kernel faults pages in, so a
 * string alone in a page nothing touched still reads (BPF could not read it). */
static void read_string(pid_t tid, __u64 addr, struct fp_str *str)
{
	char *out = str->s;
	size_t len = sizeof(str->s);
	ssize_t n = proc_read_memory(tid, addr, out, len - 1);

	/* A string near the end of a mapping: read up to the page boundary only. */
	if (n < 0 && addr) {
		size_t to_page = 4096 - (addr & 4095);

		n = proc_read_memory(tid, addr, out, to_page < len - 1 ? to_page : len - 1);
	}
	out[n > 0 ? n : 0] = 0;
	str->unreadable = n < 0;
}

static bool cgroup_under(const char *have, const char *want)
{
	size_t n = strlen(want);

	return !strncmp(have, want, n) && (have[n] == 0 || have[n] == '/' || (n == 1 && want[0] == '/'));
}

/* caller= on any frame; callsite= on the calling site's only. */
static bool stack_matches(const struct ustack_frame *fr, int n, int site, const char *glob, bool at_site)
{
	if (at_site)
		return site >= 0 && ustack_frame_matches(&fr[site], glob);
	for (int f = 0; f < n; f++)
		if (ustack_frame_matches(&fr[f], glob))
			return true;
	return false;
}

/* The stack is walked once for every caller= and callsite= rule of the probe and for
 * explore's census. */
static void walk_stack(struct seccomp_sup *sup, const struct sup_needs *need, pid_t tid)
{
	struct ustack_frame fr[USTACK_MAX_FRAMES];
	/* The calling site is the first frame: the function that made the call. */
	int n = ustack__walk(sup->syms, tid, fr, USTACK_MAX_FRAMES), site = n > 0 ? 0 : -1;

	if (n < 0 && !sup->stack_warned) {
		pr_warn("fpbpf: warning: cannot read the stack of thread %d (%s): its calls match no caller= or callsite= rule\n",
			tid, strerror(-n));
		sup->stack_warned = true;
	}
	if (need->census && site >= 0 && fr[site].ino) {
		sup->call->site.dev = (__u32)fr[site].dev;
		sup->call->site.ino = fr[site].ino;
		sup->call->site.off = fr[site].off;
	}
	for (int i = 0; i < need->ncallers && i < SUP_MAX_CALLERS; i++) {
		__u32 rid = need->callers[i].rid;

		if (stack_matches(fr, n, site, need->callers[i].glob, need->callers[i].site))
			sup->call->caller_ok[(rid / 64) % 4] |= 1ULL << (rid % 64);
	}
}

static void fill_caller(struct seccomp_sup *sup, const struct sup_needs *need, pid_t tid,
			const struct seccomp_notif *req)
{
	struct fp_seccomp_call *c = sup->call;
	char buf[512];

	memset(c, 0, offsetof(struct fp_seccomp_call, tgid));
	c->tid = (__u32)tid;
	for (int i = 0; i < FP_MAX_ARGS; i++)
		c->args[i] = req->data.args[i];
	if (need->comm)
		read_line_of(tid, "comm", NULL, c->comm, sizeof(c->comm));
	if (need->uid) {
		read_line_of(tid, "status", "Uid:", buf, sizeof(buf));
		c->uid = (__u32)strtoul(buf, NULL, 10);
	}
	if (need->ncgroups) {
		read_line_of(tid, "cgroup", "0::", buf, sizeof(buf));
		for (int i = 0; i < need->ncgroups && i < 8; i++)
			if (cgroup_under(buf, need->cgroups[i].path))
				c->cgroup_ok[(need->cgroups[i].rid / 64) % 4] |= 1ULL << (need->cgroups[i].rid % 64);
	}
	for (int i = 0; i < FP_MAX_ARGS; i++)
		if (need->strings & (1u << i))
			read_string(tid, req->data.args[i], &c->strs[i]);
	if (need->ncallers || need->census)
		walk_stack(sup, need, tid);
}

static void answer(struct seccomp_sup *sup, const struct seccomp_notif *req)
{
	struct fp_seccomp_call *c = sup->call;
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	__u64 id = req->id;
	int probe = probe_of(sup, req->data.nr);
	pid_t tid = (pid_t)req->pid;

	if (!sup->started || probe < 0) {
		/* fpbpf's own child until its exec, and execs nobody asked about, run untouched. */
		if (req->data.nr == SYS_execve || req->data.nr == SYS_execveat)
			sup->started = true;
		resume(sup, id);
		return;
	}
	fill_caller(sup, &sup->needs[probe], tid, req);
	/* What was read belongs to this call only if the caller still waits in it. */
	if (ioctl(sup->listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id))
		return;
	c->probe_id = (__u32)probe;
	if (bpf_prog_test_run_opts(sup->decide_fd, &opts) || !c->fired) {
		resume(sup, id);
		return;
	}
	switch (c->action) {
	case FP_ACT_RETURN:
		if (c->value < 0 && c->value >= -4095)
			respond(sup->listener, sup->resp, sup->resp_size, id, 0, (__s32)c->value, 0);
		else
			respond(sup->listener, sup->resp, sup->resp_size, id, c->value, 0, 0);
		break;
	case FP_ACT_SLEEP:
		delay(sup, id, c->arg);
		break;
	case FP_ACT_SIGNAL:
		/* Queued while the call waits killably, then delivered as it returns. */
		syscall(SYS_tgkill, c->tgid, tid, (int)c->value);
		resume(sup, id);
		break;
	default:
		resume(sup, id);
	}
}

static void service_calls(struct seccomp_sup *sup)
{
	for (;;) {
		struct pollfd pfd = { .fd = sup->listener, .events = POLLIN };

		if (poll(&pfd, 1, 0) <= 0 || !(pfd.revents & POLLIN))
			return;
		memset(sup->req, 0, sup->req_size);
		if (ioctl(sup->listener, SECCOMP_IOCTL_NOTIF_RECV, sup->req))
			continue;	/* the caller went away between poll and receive */
		inflight_add(sup->req->id);
		answer(sup, sup->req);
	}
}

static void service_delays(struct seccomp_sup *sup, bool all)
{
	long long now = mono_ns();
	__u64 expirations;
	int kept = 0;

	(void)!read(sup->timer, &expirations, sizeof(expirations));
	for (int i = 0; i < sup->ndelays; i++) {
		if (all || sup->delays[i].due_ns <= now) {
			resume(sup, sup->delays[i].id);
			continue;
		}
		sup->delays[kept++] = sup->delays[i];
	}
	sup->ndelays = kept;
	arm_timer(sup);
}

void seccomp_sup__service(struct seccomp_sup *sup)
{
	if (!sup || sup->listener < 0)
		return;
	service_calls(sup);
	service_delays(sup, false);
}

void seccomp_sup__release_all(struct seccomp_sup *sup)
{
	if (sup && sup->listener >= 0)
		service_delays(sup, true);
}

bool seccomp_listener_in_use(int listener)
{
	struct pollfd pfd = { .fd = listener, .events = POLLIN };

	return poll(&pfd, 1, 0) >= 0 && !(pfd.revents & (POLLHUP | POLLERR | POLLNVAL));
}

void seccomp_listener_continue_all(int listener)
{
	size_t req_size = 0, resp_size = 0;
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;

	if (notif_sizes(&req_size, &resp_size))
		return;
	req = calloc(1, req_size);
	resp = calloc(1, resp_size);
	/* Calls the dead controller received but never answered (ENOENT: it had). */
	for (int i = 0; resp && inflight && i < INFLIGHT_MAX; i++) {
		__u64 id = __atomic_load_n(&inflight[i], __ATOMIC_ACQUIRE);

		if (id)
			respond(listener, resp, resp_size, id, 0, 0, SECCOMP_USER_NOTIF_FLAG_CONTINUE);
	}
	while (req && resp) {
		struct pollfd pfd = { .fd = listener, .events = POLLIN };

		if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
			break;
		if (pfd.revents & (POLLHUP | POLLERR | POLLNVAL))
			break;	/* no process runs under the filter any more */
		if (!(pfd.revents & POLLIN))
			continue;
		memset(req, 0, req_size);
		if (!ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, req))
			respond(listener, resp, resp_size, req->id, 0, 0, SECCOMP_USER_NOTIF_FLAG_CONTINUE);
		else if (errno != EINTR && errno != ENOENT)
			break;	/* not a listener at all: nothing to answer */
	}
	free(req);
	free(resp);
}

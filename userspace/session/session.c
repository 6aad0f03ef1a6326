// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* A fault-injection session's life: find the files, stage the rules, load and attach,
 * start or follow the targets, serve the control socket, and undo everything at the end,
 * however it comes: the command's exit, --duration, a signal, or the guardian after a
 * SIGKILL. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "elf/libdeps.h"
#include "elf/usdt_notes.h"
#include "engine/seccomp_sup.h"
#include "engine/sys_backend.h"
#include "rules/kernel_rules.h"
#include "rules/ruleset.h"
#include "session/session_int.h"
#include "util/cmdpath.h"
#include "util/log.h"

static volatile sig_atomic_t exiting;
static volatile sig_atomic_t forward_sig;
static volatile sig_atomic_t reload_requested;

static void on_signal(int sig, siginfo_t *info, void *uctx)
{
	(void)uctx;
	if (sig == SIGHUP) {
		reload_requested = 1;
		return;
	}
	/* A second ^C ends at once; the guardian lets go of whatever is still held. */
	if (exiting)
		_exit(128 + sig);
	exiting = 1;
	/* kill(1) is forwarded to the command; a terminal's ^C already reached it. */
	if (info && info->si_code <= 0)
		forward_sig = sig;
}

long long now_ns(void)
{
	return events_out__now_ns();
}

bool pid_set_add(struct pid_set *set, pid_t pid)
{
	for (int i = 0; i < set->n; i++)
		if (set->v[i] == pid)
			return true;
	if (set->n == set->cap) {
		int cap = set->cap ? set->cap * 2 : 16;
		pid_t *grown = realloc(set->v, (size_t)cap * sizeof(*grown));

		if (!grown)
			return false;
		set->v = grown;
		set->cap = cap;
	}
	set->v[set->n++] = pid;
	return true;
}

void pid_set_del(struct pid_set *set, pid_t pid)
{
	for (int i = 0; i < set->n; i++)
		if (set->v[i] == pid) {
			set->v[i] = set->v[--set->n];
			return;
		}
}

static void on_target_event(struct session *s, const struct fp_event *e)
{
	switch (e->kind) {
	case FP_REQ_FORK:
		pid_set_add(&s->targets, (pid_t)e->pid);
		if (s->o->json || log_verbosity >= LOG_INFO)
			events_out__target(&s->out, e);
		break;
	case FP_REQ_EXEC:
		events_out__target(&s->out, e);
		break;
	case FP_REQ_EXIT:
		pid_set_del(&s->targets, (pid_t)e->pid);
		events_out__target(&s->out, e);
		break;
	case FP_REQ_TARGETS_FULL:
		log_error("process %u (child of target %u) is not a target: the target map is full (at most %d processes); no fault reaches it",
			  e->pid, e->parent, FP_MAX_TARGETS);
		break;
	}
}

int session_on_event(void *ctx, const struct fp_event *e)
{
	struct session *s = ctx;
	const struct probe_info *p = probe_table__info(s->probes, e->probe);
	const struct rule *r = rule_table__get(s->rules, (int)e->rule);

	switch (e->kind) {
	case FP_REQ_WRITE:
		holds__queue_write(s->holds, e);	/* an injection once written */
		break;
	case FP_REQ_HOLD:
		holds__hold(s->holds, (pid_t)e->pid, e->rule,
			    e->verdict.action == FP_ACT_PAUSE ? 0 : now_ns() + (long long)e->verdict.arg * 1000000LL);
		events_out__hit(&s->out, "inject", e, p, r);
		break;
	case FP_EV_INJECT:
		events_out__hit(&s->out, "inject", e, p, r);
		break;
	case FP_EV_EVAL:
		events_out__hit(&s->out, "eval", e, p, r);
		break;
	case FP_REQ_LIMIT:
		if (!s->limit_reached) {
			s->limit_reached = true;
			session_disable_all(s);
			events_out__notice(&s->out, "limit", "--max-injections %llu reached: every rule is off now",
					   (unsigned long long)s->o->max_injections);
		}
		break;
	default:
		on_target_event(s, e);
	}
	return 0;
}

static bool from_rule_file(const struct session_opts *o, const struct rule *r)
{
	for (int i = 0; i < o->nrule_files; i++)
		if (!strcmp(o->rule_files[i].path, r->origin))
			return true;
	return false;
}

/* Every rule checked and resolved before anything loads. */
static int stage_rules(struct session *s)
{
	const struct session_opts *o = s->o;

	for (int i = 0; i < o->nrules; i++) {
		int rid = session_stage_rule(s, &o->rules[i], from_rule_file(o, &o->rules[i]) ? SRC_FILE : SRC_INLINE);

		if (rid < 0)
			return rid == -EOPNOTSUPP || rid == -ENOMEM ? rid : -EINVAL;
	}
	return 0;
}

static int install_rules(struct session *s)
{
	for (int rid = 0; rid < rule_table__bound(s->rules); rid++)
		if (rule_table__live(s->rules, rid) && session_install_rule(s, rid))
			return -EINVAL;
	return injector__attach_tracking(s->inj);
}

/* The process a pid names: a thread id is taken as its process, with a note. */
static pid_t process_of(pid_t pid)
{
	char path[64], line[128];
	pid_t tgid = pid;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "re");
	if (!f)
		return pid;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Tgid: %d", &tgid) == 1)
			break;
	fclose(f);
	if (tgid != pid)
		pr_warn("fpbpf: %d is a thread of process %d: attaching to the process\n", pid, tgid);
	return tgid;
}

static int check_attach_pid(pid_t pid)
{
	if (pid == 1 || pid == getpid()) {
		log_error("refusing to target pid %d (%s)", pid, pid == 1 ? "init" : "fpbpf itself");
		return -EINVAL;
	}
	if (kill(pid, 0) && errno == ESRCH) {
		log_error("no process with pid %d", pid);
		return -EINVAL;
	}
	return 0;
}

/* Finds the files whose probes rules may name. */
static int find_files(struct session *s, char **cmd_path, pid_t *pid)
{
	const struct session_opts *o = s->o;
	int err;

	if (o->argv) {
		*cmd_path = cmdpath_find(o->argv[0]);
		if (!*cmd_path) {
			log_error("%s: command not found", o->argv[0]);
			return -ENOENT;
		}
		/* A script runs: its syscalls are the command's; it has no failpoints itself. */
		if (usdt_file_is_script(*cmd_path))
			return 0;
		err = probe_table__add_file(s->probes, *cmd_path);
		if (err < 0)
			return err == -ENOMEM ? err : -EINVAL;
		libdeps_each(*cmd_path, probe_table__add_library, s->probes);
	} else if (o->pid) {
		*pid = process_of(o->pid);
		err = check_attach_pid(*pid);
		if (!err)
			err = probe_table__add_process_files(s->probes, *pid);
		if (err)
			return err == -ENOMEM ? err : -EINVAL;
	} else if (o->binary && probe_table__add_file(s->probes, o->binary) < 0) {
		return -EINVAL;
	}
	return 0;
}

static int new_guardian(struct session *s, struct guardian *g)
{
	struct guardian_args a = {
		.holds_fd = injector__holds_fd(s->inj), .claims_fd = injector__claims_fd(s->inj),
		.nonce = injector__nonce(s->inj), .sock_path = ctl_server_path(s->ctl),
		.listener = injector__seccomp_listener(s->inj), .json = s->o->json,
	};
	int err = guardian_start(g, &a);

	if (!err)
		injector__set_guard(s->inj, g->pid);
	return err;
}

static void restart_guardian(struct session *s)
{
	guardian_reap(&s->guard);
	if (new_guardian(s, &s->guard) == 0)
		events_out__notice(&s->out, "guardian", "the guardian died; a new one (pid %d) took its place", s->guard.pid);
	else
		events_out__notice(&s->out, "guardian", "the guardian died and no new one could start: if fpbpf is killed now, held processes stay stopped");
}

/* The command's seccomp listener exists now: a guardian that keeps it takes over, so that
 * calls of the command are answered even if fpbpf is killed. The new one first. */
static int guard_listener(struct session *s)
{
	struct guardian old = s->guard;
	int err;

	if (injector__seccomp_listener(s->inj) < 0)
		return 0;
	err = new_guardian(s, &s->guard);
	if (err) {
		s->guard = old;
		return err;
	}
	guardian_retire(&old);
	return 0;
}

int session_poll_once(struct session *s, int timeout, int extra_fd)
{
	struct pollfd pfds[3 + CTL_MAX_CLIENTS + 1];
	int n = 3, err;

	pfds[0] = (struct pollfd){ .fd = injector__event_fd(s->inj), .events = POLLIN };
	pfds[1] = (struct pollfd){ .fd = s->guard.pidfd, .events = POLLIN };
	pfds[2] = (struct pollfd){ .fd = extra_fd, .events = POLLIN };
	n += ctl_server_pollfds(s->ctl, pfds + 3, CTL_MAX_CLIENTS + 1);
	if (poll(pfds, (nfds_t)n, timeout) < 0) {
		if (errno != EINTR)
			return -errno;
		for (int i = 0; i < n; i++)
			pfds[i].revents = 0;
	}
	err = injector__consume(s->inj, session_on_event, s);
	if (err < 0 && err != -EINTR)
		return err;
	holds__deliver(s->holds);
	if (pfds[1].revents)
		restart_guardian(s);
	ctl_server_service(s->ctl, pfds + 3, n - 3);
	session_ctl_tick(s, false);
	return 0;
}

static void reload(struct session *s)
{
	int once = 0, n = session_reload(s, &once);

	if (n >= 0)
		events_out__notice(&s->out, "reload", "rule files re-read: %d rule(s) changed%s", n,
				   once ? "; rules from pipes were read once at start and stay" : "");
	else
		events_out__notice(&s->out, "reload", "reload failed (above); rules unchanged");
}

int session_next_timeout(struct session *s, long long end_ns)
{
	long long next = holds__release_due(s->holds, now_ns()), ms;

	if (ctl_server_pending(s->ctl))
		return 0;
	if (end_ns && (!next || end_ns < next))
		next = end_ns;
	if (!next)
		return 100;
	ms = (next - now_ns()) / 1000000 + 1;
	return ms < 100 ? (int)(ms > 0 ? ms : 1) : 100;
}

/* Until the session should end: the command exited (its status in res), --duration,
 * a signal, or (attach -p) every target gone. */
static int run_loop(struct session *s, pid_t *child, struct session_result *res)
{
	long long end_ns = s->o->duration_ms ? now_ns() + s->o->duration_ms * 1000000LL : 0;

	while (!exiting) {
		int err = session_poll_once(s, session_next_timeout(s, end_ns), -1);

		if (err) {
			log_error("polling events: %s", strerror(-err));
			return err;
		}
		if (reload_requested) {
			reload_requested = 0;
			reload(s);
		}
		if (*child && waitpid(*child, &res->wait_status, WNOHANG) == *child) {
			*child = 0;
			return 0;
		}
		if (end_ns && now_ns() >= end_ns) {
			events_out__notice(&s->out, "end", "--duration %.3gs elapsed: detaching%s", s->o->duration_ms / 1000.0,
					   *child ? "; the command goes on without faults" : "");
			return 0;
		}
		if (s->o->pid && !s->targets.n) {
			events_out__notice(&s->out, "end", "every target process has exited");
			return 0;
		}
	}
	return 0;
}

static void child_io_setup(const struct child_io *io)
{
	if (!io)
		return;
	if (io->own_group)
		setpgid(0, 0);
	if (io->in >= 0)
		dup2(io->in, 0);
	if (io->out >= 0)
		dup2(io->out, 1);
	if (io->err >= 0)
		dup2(io->err, 2);
}

/* The command, forked now and exec'd once it is a target, so its first hit is seen.
 * Right before its exec the engine may set it up (a seccomp filter), reporting back on
 * report_fd. */
static pid_t fork_command(struct session *s, const char *path, const struct child_io *io, int *go_fd, int *report_fd)
{
	int sync_pipe[2], report[2];
	pid_t child;

	if (pipe2(sync_pipe, O_CLOEXEC) || pipe2(report, O_CLOEXEC)) {
		log_error("pipe: %s", strerror(errno));
		return -1;
	}
	child = fork();
	if (child < 0) {
		log_error("fork: %s", strerror(errno));
		close(sync_pipe[0]);
		close(sync_pipe[1]);
		close(report[0]);
		close(report[1]);
		return -1;
	}
	if (child == 0) {
		char go;
		int err;

		close(sync_pipe[1]);
		close(report[0]);
		signal(SIGPIPE, SIG_DFL);
		child_io_setup(io);
		if (read(sync_pipe[0], &go, 1) != 1)
			_exit(127);
		err = injector__child_before_exec(s->inj, report[1]);
		if (err) {
			fprintf(stderr, "fpbpf: cannot set up %s: %s\n", path, strerror(-err));
			_exit(127);
		}
		execv(path, s->o->argv);
		fprintf(stderr, "fpbpf: exec %s: %s\n", path, strerror(errno));
		_exit(127);
	}
	if (io && io->own_group)
		setpgid(child, child);	/* also here: no race with a kill of the group */
	close(sync_pipe[0]);
	close(report[1]);
	*go_fd = sync_pipe[1];
	*report_fd = report[0];
	return child;
}

/* Each backend learns the rules at start it serves before anything loads. */
static void configure_backends(struct session *s, struct injector_opts *o)
{
	const struct sys_backend *by[FP_MAX_RULES];
	const struct rule *rules[FP_MAX_RULES];
	int n = 0;

	for (int id = 0; id < rule_table__bound(s->rules) && n < FP_MAX_RULES; id++) {
		if (!rule_table__used(s->rules, id))
			continue;
		rules[n] = rule_table__get(s->rules, id);
		by[n++] = rule_table__backend(s->rules, id);
	}
	sys_backends_configure(o, rules, by, n);
}

/* Whether a rule at start names a probe of other software (no verdict slot). */
static bool names_foreign_probe(const struct session *s)
{
	for (int id = 0; id < probe_table__count(s->probes); id++) {
		const struct probe_info *p = probe_table__info(s->probes, (__u32)id);

		if (p && p->kind == FP_PROBE_USDT && !p->has_slot)
			return true;
	}
	return false;
}

static int load_engine(struct session *s)
{
	struct injector_opts iopts = { .delivery = s->o->delivery, .emit_evals = log_verbosity >= LOG_INFO,
				       .max_injections = s->o->max_injections, .filter_targets = s->scoped,
				       .foreign_sleepable = names_foreign_probe(s) };
	struct hold_ops ops;
	int err;

	/* Where the kernel can take them, `fpbpf set sys:...` works later too. */
	configure_backends(s, &iopts);
	s->inj = injector__new();
	if (!s->inj)
		return -errno;
	err = injector__load(s->inj, &iopts);
	if (err)
		return err;
	session_hold_ops(s, &ops);
	s->holds = holds__new(&ops);
	if (!s->holds)
		return -ENOMEM;
	return new_guardian(s, &s->guard);
}

/* Targets in place, then the command released: it execs as a target. The first line
 * is printed in between, unless io is given (explore's runs are not announced). */
int session_start_targets(struct session *s, const char *cmd_path, pid_t pid, const struct child_io *io,
			  pid_t *child, int *go_fd)
{
	pid_t target = pid;
	int err, report_fd = -1;

	if (s->o->argv) {
		*child = fork_command(s, cmd_path, io, go_fd, &report_fd);
		if (*child < 0) {
			*child = 0;
			return -ECHILD;
		}
		target = *child;
	}
	if (target) {
		err = *child ? injector__add_target_at_exec(s->inj, target) : injector__add_target(s->inj, target);
		if (err) {
			log_error("cannot add target %d: %s", target, strerror(-err));
			return err;
		}
		pid_set_add(&s->targets, target);
	}
	if (!io) {
		s->out.t0_ns = now_ns();
		session_print_start(s, target);
	}
	if (!*child)
		return 0;
	if (write(*go_fd, "g", 1) != 1) {
		err = -errno;
		log_error("cannot start %s: %s", s->o->argv[0], strerror(errno));
	} else {
		close(*go_fd);
		*go_fd = -1;
		err = injector__child_started(s->inj, *child, report_fd);
		if (!err)
			err = guard_listener(s);
		if (err)
			kill(*child, SIGKILL);	/* it may wait for a supervisor that is not there */
	}
	close(report_fd);
	return err;
}

/* Stop-and-write markers waiting on this session ask it each poll whether to go on; with
 * every rule off, the answer is a release. Another session may keep the semaphore up, so
 * they cannot count on it dropping: answer them before detaching. Ends once no request
 * came for three poll intervals (at most half a second). */
static void release_marker_waiters(struct session *s)
{
	long long start = now_ns(), quiet_since = start;

	if (!s->inj || !s->holds || injector__direct_write(s->inj))
		return;
	session_disable_all(s);
	while (now_ns() - start < 500 * 1000000LL && now_ns() - quiet_since < 60 * 1000000LL) {
		struct pollfd pfd = { .fd = injector__event_fd(s->inj), .events = POLLIN };

		poll(&pfd, 1, 10);
		if (injector__consume(s->inj, session_on_event, s) > 0)
			quiet_since = now_ns();
		holds__deliver(s->holds);
	}
}

/* Detach first: paused markers see their semaphore drop and resume on their own, and
 * nothing can stop a process again once the probes are gone. The summary comes once no
 * hit can change a counter; what is held goes last. */
void session_teardown(struct session *s, bool summary)
{
	release_marker_waiters(s);
	if (s->inj) {
		injector__consume(s->inj, session_on_event, s);
		if (s->holds)
			holds__deliver(s->holds);
		injector__detach_all(s->inj);
		injector__consume(s->inj, session_on_event, s);
	}
	if (s->holds)
		holds__release_all(s->holds);
	if (summary)
		session_print_summary(s);
	if (s->inj && injector__seccomp_listener(s->inj) >= 0 &&
	    seccomp_listener_in_use(injector__seccomp_listener(s->inj)))
		guardian_hand_over(&s->guard);
	else
		guardian_stop(&s->guard);
	injector__free(s->inj);
	s->inj = NULL;
	ctl_server_close(s->ctl);
	s->ctl = NULL;
}

/* run: the command goes on after the session; its end is fpbpf's exit status. */
static void wait_command(pid_t child, int go_fd, struct session_result *res)
{
	if (go_fd >= 0) {
		kill(child, SIGKILL);	/* never exec'd: nothing of the user's ran */
		close(go_fd);
	}
	if (forward_sig)
		kill(child, forward_sig);
	while (waitpid(child, &res->wait_status, 0) < 0 && errno == EINTR)
		;
	res->command_ran = go_fd < 0;
}

struct session *session_new(const struct session_opts *o)
{
	struct session *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->o = o;
	s->scoped = o->argv || o->pid;
	s->lock_fd = -1;
	s->guard = (struct guardian){ -1, -1, -1 };
	s->out = (struct events_out){ .f = o->out, .json = o->json, .t0_ns = now_ns() };
	s->probes = probe_table__new();
	s->rules = rule_table__new();
	if (o->name)
		snprintf(s->name, sizeof(s->name), "%s", o->name);
	else
		snprintf(s->name, sizeof(s->name), "%d", getpid());
	if (!s->probes || !s->rules) {
		probe_table__free(s->probes);
		rule_table__free(s->rules);
		free(s);
		return NULL;
	}
	return s;
}

void session_free(struct session *s)
{
	holds__free(s->holds);
	probe_table__free(s->probes);
	rule_table__free(s->rules);
	free(s->targets.v);
	free(s);
}

static int open_control(struct session *s)
{
	char err[512];

	if (ctl_server_open(&s->ctl, s->name, session_ctl_line, s, err, sizeof(err))) {
		log_error("%s", err);
		return -EINVAL;
	}
	return 0;
}

static void handle_signals(void)
{
	struct sigaction sa = { .sa_sigaction = on_signal, .sa_flags = SA_SIGINFO };

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	/* A dead guardian or control client must not kill the controller. */
	signal(SIGPIPE, SIG_IGN);
}

bool session_interrupted(void)
{
	return exiting;
}

int session_prepare(struct session *s, char **cmd_path, pid_t *pid)
{
	int ret = find_files(s, cmd_path, pid);

	if (!ret)
		ret = stage_rules(s);
	if (!ret)
		ret = open_control(s);
	if (!ret)
		ret = load_engine(s);
	if (!ret) {
		handle_signals();
		ret = install_rules(s);
	}
	return ret;
}

int session_main(const struct session_opts *o, struct session_result *res)
{
	struct session *s = session_new(o);
	char *cmd_path = NULL;
	pid_t child = 0, pid = 0;
	int go_fd = -1, ret;
	bool started = false;

	memset(res, 0, sizeof(*res));
	if (!s)
		return -ENOMEM;
	ret = session_prepare(s, &cmd_path, &pid);
	if (!ret)
		ret = session_start_targets(s, cmd_path, pid, NULL, &child, &go_fd);
	if (!ret) {
		started = true;
		ret = run_loop(s, &child, res);
		if (!child && s->o->argv)
			res->command_ran = true;
		session_ctl_tick(s, true);
	}
	session_teardown(s, started);
	if (child > 0)
		wait_command(child, go_fd, res);
	if (!ret && s->out.write_error)
		ret = -EIO;	/* the events a user asked for are incomplete */
	free(cmd_path);
	session_free(s);
	return ret;
}

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* A fault-injection session's life: find the files, stage the rules, load and attach,
 * start or follow the targets, serve the control socket, and undo everything at the end. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "session/guardian.h"
#include "engine/kernel_features.h"
#include "rules/kernel_rules.h"
#include "elf/libdeps.h"
#include "util/log.h"
#include "session/session_int.h"

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
	exiting = 1;
	/* kill(1) is forwarded to the command; a terminal's ^C already reached it. */
	if (info && info->si_code <= 0)
		forward_sig = sig;
}

long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
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

int session_on_event(void *ctx, const struct fp_event *e)
{
	struct session *s = ctx;

	switch (e->kind) {
	case FP_EV_STOP_WRITE:
		stop_queue_write(s, e);
		if (e->hit)	/* hit 0: a waiter being released, not a new injection */
			print_event(s, e, "inject");
		break;
	case FP_EV_STOP_SLEEP:
	case FP_EV_STOP_PAUSE:
		stop_hold(s, (pid_t)e->pid, e->rule,
			  e->kind == FP_EV_STOP_PAUSE ? 0 : now_ns() + (long long)e->verdict.arg * 1000000LL);
		print_event(s, e, "inject");
		break;
	case FP_EV_INJECT:
		print_event(s, e, "inject");
		break;
	case FP_EV_EVAL:
		print_event(s, e, "eval");
		break;
	case FP_EV_FORK:
		pid_set_add(&s->targets, (pid_t)e->pid);
		if (s->o->json || log_verbosity >= LOG_INFO)
			print_target_event(s, e);
		break;
	case FP_EV_EXEC:
		print_target_event(s, e);
		break;
	case FP_EV_EXIT:
		pid_set_del(&s->targets, (pid_t)e->pid);
		print_target_event(s, e);
		break;
	case FP_EV_LIMIT:
		if (!s->limit_reached) {
			s->limit_reached = true;
			session_disable_all(s);
			print_notice(s, "limit", "--max-injections %llu reached: every rule is off now",
				     (unsigned long long)s->o->max_injections);
		}
		break;
	}
	return 0;
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

static bool from_rule_file(const struct session_opts *o, const struct rule *r)
{
	for (int i = 0; i < o->nrule_files; i++)
		if (!strcmp(o->rule_files[i], r->origin))
			return true;
	return false;
}

/* Every rule checked and resolved before anything loads; returns 0 or an exit status. */
static int stage_rules(struct session *s)
{
	const struct session_opts *o = s->o;

	for (int i = 0; i < o->nrules; i++) {
		int rid = session_stage_rule(s, &o->rules[i], from_rule_file(o, &o->rules[i]) ? SRC_FILE : SRC_INLINE);

		if (rid < 0)
			return -rid;
	}
	return 0;
}

static int install_rules(struct session *s)
{
	for (int rid = 0; rid < s->nslots; rid++)
		if (s->slots[rid].live && session_install_rule(s, rid))
			return -1;
	return injector__attach_tracking(s->inj);
}

/* Finds the files whose probes rules may name; returns 0 or an exit status. */
static int find_files(struct session *s, char **cmd_path)
{
	const struct session_opts *o = s->o;

	if (o->argv) {
		*cmd_path = find_in_path(o->argv[0]);
		if (!*cmd_path) {
			log_error("%s: command not found", o->argv[0]);
			return 127;
		}
		if (session_add_file(s, *cmd_path) < 0)
			return 1;
		libdeps_each(*cmd_path, session_add_library, s);
	} else if (o->pid) {
		if (o->pid == 1 || o->pid == getpid()) {
			log_error("refusing to target pid %d (%s)", o->pid, o->pid == 1 ? "init" : "fpbpf itself");
			return 2;
		}
		if (kill(o->pid, 0) && errno == ESRCH) {
			log_error("no process with pid %d", o->pid);
			return 2;
		}
		if (session_add_process_files(s, o->pid))
			return 1;
	} else if (o->binary && session_add_file(s, o->binary) < 0) {
		return 1;
	}
	return 0;
}

static int poll_once(struct session *s, int timeout)
{
	struct pollfd pfds[1 + CTL_MAX_CLIENTS + 1];
	int n = 1, err;

	pfds[0] = (struct pollfd){ .fd = injector__event_fd(s->inj), .events = POLLIN };
	n += ctl_server_pollfds(s->ctl, pfds + 1, CTL_MAX_CLIENTS + 1);
	if (poll(pfds, (nfds_t)n, timeout) < 0) {
		if (errno != EINTR)
			return -errno;
		for (int i = 0; i < n; i++)
			pfds[i].revents = 0;
	}
	err = injector__consume(s->inj, session_on_event, s);
	if (err < 0 && err != -EINTR)
		return err;
	stop_deliver_pending(s);
	ctl_server_service(s->ctl, pfds + 1, n - 1, session_control_line, s);
	session_control_tick(s, false);
	return 0;
}

static void reload(struct session *s)
{
	int n = session_reload(s);

	if (n >= 0)
		print_notice(s, "reload", "rule files re-read: %d rule(s) changed", n);
	else
		print_notice(s, "reload", "reload failed (above); rules unchanged");
}

/* Returns the exit status once the session should end. */
static int run_loop(struct session *s, pid_t *child)
{
	long long end_ns = s->o->duration_ms ? now_ns() + s->o->duration_ms * 1000000LL : 0;
	int status;

	for (;;) {
		long long next = stop_release_due(s), now;
		int timeout = 100, err;

		if (end_ns && (!next || end_ns < next))
			next = end_ns;
		if (next) {
			long long ms = (next - now_ns()) / 1000000 + 1;

			timeout = ms < timeout ? (int)(ms > 0 ? ms : 1) : timeout;
		}
		err = poll_once(s, timeout);
		if (err) {
			log_error("polling events: %s", strerror(-err));
			return 1;
		}
		if (reload_requested) {
			reload_requested = 0;
			reload(s);
		}
		if (forward_sig && *child) {
			kill(*child, forward_sig);
			forward_sig = 0;
		}
		now = now_ns();
		if (*child && waitpid(*child, &status, WNOHANG) == *child) {
			*child = 0;
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		}
		if (end_ns && now >= end_ns) {
			print_notice(s, "end", "--duration %.3gs elapsed: detaching%s", s->o->duration_ms / 1000.0,
				     *child ? "; the command goes on without faults" : "");
			return 0;
		}
		if (exiting && !*child)
			return 0;
		if (s->o->pid && !s->targets.n) {
			print_notice(s, "end", "every target process has exited");
			return 0;
		}
	}
}

int session_main(const struct session_opts *o)
{
	struct session *s = calloc(1, sizeof(*s));
	struct injector_opts iopts = { .delivery = o->delivery, .emit_evals = log_verbosity >= LOG_INFO,
				       .max_injections = o->max_injections };
	struct sigaction sa = { .sa_sigaction = on_signal, .sa_flags = SA_SIGINFO };
	struct guardian guard = { -1, -1 };
	int sync_pipe[2] = { -1, -1 }, status = 0, ret = 1;
	pid_t child = 0, target = 0;
	char *cmd_path = NULL;

	if (!s)
		return 1;
	s->o = o;
	s->scoped = o->argv || o->pid;
	s->rules = calloc(FP_MAX_RULES, sizeof(*s->rules));
	s->slots = calloc(FP_MAX_RULES, sizeof(*s->slots));
	if (!s->rules || !s->slots)
		goto out;
	if (o->name)
		snprintf(s->name, sizeof(s->name), "%s", o->name);
	else
		snprintf(s->name, sizeof(s->name), "%d", getpid());
	ret = find_files(s, &cmd_path);
	if (!ret)
		ret = stage_rules(s);
	if (ret)
		goto out;
	ret = 1;
	if (ctl_server_open(&s->ctl, s->name))
		goto out;

	iopts.filter_targets = s->scoped;
	for (int i = 0; i < s->nslots; i++)
		iopts.kernel_probes |= rule_is_kernel(&s->rules[i]);
	/* Where the kernel can take them, `fpbpf set sys:...` works later too. */
	iopts.kernel_probes |= feature_kprobe_pmu() && feature_override_return();
	s->inj = injector__new();
	if (!s->inj || injector__load(s->inj, &iopts))
		goto out;
	if (guardian_start(&guard, injector__stopped_fd(s->inj), ctl_server_path(s->ctl)))
		goto out;
	injector__set_guard(s->inj, guard.pid);

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	if (install_rules(s))
		goto out;
	if (o->argv) {
		if (pipe2(sync_pipe, O_CLOEXEC)) {
			log_error("pipe: %s", strerror(errno));
			goto out;
		}
		child = fork();
		if (child < 0) {
			log_error("fork: %s", strerror(errno));
			child = 0;
			goto out;
		}
		if (child == 0) {
			char go;

			close(sync_pipe[1]);
			/* Exec only once it is a target, so the first hit is already seen. */
			if (read(sync_pipe[0], &go, 1) != 1)
				_exit(127);
			execv(cmd_path, o->argv);
			fprintf(stderr, "fpbpf: exec %s: %s\n", cmd_path, strerror(errno));
			_exit(127);
		}
		close(sync_pipe[0]);
		sync_pipe[0] = -1;
		target = child;
	} else if (o->pid) {
		target = o->pid;
	}
	if (target) {
		if (child ? injector__add_target_at_exec(s->inj, target) : injector__add_target(s->inj, target)) {
			log_error("cannot add target %d: %s", target, strerror(errno));
			goto out;
		}
		pid_set_add(&s->targets, target);
	}
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

	ret = run_loop(s, &child);
	session_control_tick(s, true);
	injector__consume(s->inj, session_on_event, s);
	stop_deliver_pending(s);
	print_summary(s);
out:
	/* Detach first: paused markers see their semaphore drop and resume on their own,
	 * and nothing can stop a process again once the probes are gone. */
	if (s->inj) {
		injector__free(s->inj);
		s->inj = NULL;
	}
	stop_continue_all(s);
	guardian_stop(&guard);
	ctl_server_close(s->ctl);
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
	free(s->ever_stopped.v);
	free(s->targets.v);
	free(s->rules);
	free(s->slots);
	free(cmd_path);
	free(s);
	return ret;
}

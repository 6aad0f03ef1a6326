// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* One loaded session that runs its command again and again (fpbpf explore). Between runs
 * only maps change: rules are replaced with fresh counters, the seccomp supervisor takes
 * the next command's listener. What a run leaves behind is killed before the next starts,
 * so one run's processes never count in another's. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "session/session_int.h"
#include "util/log.h"

struct session_runs {
	struct session *s;
	char *cmd_path;
};

int session_runs__open(const struct session_opts *o, struct session_runs **out)
{
	struct session_runs *sr = calloc(1, sizeof(*sr));
	pid_t pid = 0;
	int err;

	*out = NULL;
	if (!sr)
		return -ENOMEM;
	sr->s = session_new(o);
	if (!sr->s) {
		free(sr);
		return -ENOMEM;
	}
	err = session_prepare(sr->s, &sr->cmd_path, &pid);
	if (err) {
		session_runs__close(sr);
		return err;
	}
	*out = sr;
	return 0;
}

int session_runs__set(struct session_runs *sr, const struct rule *r)
{
	return session_set_rule(sr->s, r, SRC_INLINE);
}

int session_runs__live_id(const struct session_runs *sr, const struct rule *key)
{
	const struct rule_table *rt = sr->s->rules;

	for (int i = 0; i < rule_table__bound(rt); i++)
		if (rule_table__live(rt, i) && rule_target_matches(rule_table__get(rt, i), key))
			return i;
	return -1;
}

int session_runs__callers(struct session_runs *sr, int rid, struct run_caller *out, int max)
{
	return session_census(sr->s, rid, out, max);
}

int session_runs__counts(struct session_runs *sr, int rid, struct rule_counts *c)
{
	struct fp_rule_state st;
	int err = injector__rule_state(sr->s->inj, (__u32)rid, &st);

	if (err)
		return err;
	c->matched = st.matched;
	c->injected = st.injected;
	return 0;
}

/* The command is gone: whatever it started that is still in its group or still a target
 * goes too, and the events they sent are read, before the counters are. */
static void end_run(struct session *s, pid_t child)
{
	long long until = now_ns() + 2000000000LL;

	kill(-child, SIGKILL);
	for (int i = 0; i < s->targets.n; i++)
		if (s->targets.v[i] != child && s->targets.v[i] > 1 && s->targets.v[i] != getpid())
			kill(s->targets.v[i], SIGKILL);
	pid_set_del(&s->targets, child);
	while (s->targets.n && now_ns() < until)
		session_poll_once(s, 5, -1);
	session_poll_once(s, 0, -1);
	s->targets.n = 0;
	injector__command_ended(s->inj);
}

static void stop_child(pid_t child, int *status)
{
	kill(-child, SIGKILL);
	kill(child, SIGKILL);
	while (waitpid(child, status, 0) < 0 && errno == EINTR)
		;
}

int session_runs__run(struct session_runs *sr, long long timeout_ms, int in, int out, int err_fd,
		      struct run_end *end)
{
	struct child_io io = { .in = in, .out = out, .err = err_fd, .own_group = true };
	struct session *s = sr->s;
	long long t0 = now_ns(), deadline = timeout_ms ? t0 + timeout_ms * 1000000LL : 0;
	pid_t child = 0;
	int go_fd = -1, pidfd, err;

	memset(end, 0, sizeof(*end));
	err = session_start_targets(s, sr->cmd_path, 0, &io, &child, &go_fd);
	if (err) {
		if (go_fd >= 0)
			close(go_fd);
		if (child > 0) {
			stop_child(child, &end->wait_status);
			end_run(s, child);
		}
		return err;
	}
	pidfd = (int)syscall(SYS_pidfd_open, child, 0);
	for (;;) {
		long long left = deadline ? (deadline - now_ns()) / 1000000 : 100;

		if (waitpid(child, &end->wait_status, WNOHANG) == child)
			break;
		if (session_interrupted() || (deadline && left <= 0)) {
			end->interrupted = session_interrupted();
			end->timed_out = !end->interrupted;
			stop_child(child, &end->wait_status);
			break;
		}
		err = session_poll_once(s, (int)(left < 100 ? left + 1 : 100), pidfd);
		if (err) {
			log_error("polling events: %s", strerror(-err));
			stop_child(child, &end->wait_status);
			break;
		}
	}
	end->elapsed_ns = now_ns() - t0;
	if (pidfd >= 0)
		close(pidfd);
	end_run(s, child);
	return err;
}

void session_runs__close(struct session_runs *sr)
{
	if (!sr)
		return;
	session_teardown(sr->s, false);
	session_free(sr->s);
	free(sr->cmd_path);
	free(sr);
}

bool session_runs__interrupted(void)
{
	return session_interrupted();
}

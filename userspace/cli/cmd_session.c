// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* fpbpf run and fpbpf attach: the commands that hold a session. */
#include <errno.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "cli/commands.h"
#include "control/ctl_proto.h"
#include "engine/sys_backend.h"
#include "rules/kernel_rules.h"
#include "rules/ruleset.h"
#include "session/session.h"
#include "util/log.h"
#include "util/num.h"

enum {
	O_RULES = 'r', O_RULE = 'e', O_VERBOSE = 'v', O_EVENTS = 'o', O_DELIVERY = 'D', O_PID = 'p',
	O_BINARY = 'b', O_ALL = 'A', O_SESSION = 's', O_DURATION = 'd', O_MAX = 'm', O_BACKEND = 'B',
	O_ENV = 1000,
};

struct session_cmd {
	struct ruleset rs;
	const char *events_path;
	enum delivery delivery;
	pid_t pid;
	const char *binary;
	bool all_processes;
	const char *session;
	long long duration_ms;
	__u64 max_injections;
	const char *backend;
};

#define SESSION_OPTS                                                                                     \
	{ "rules", 'r', "FILE", "rule file (repeatable; '#' comments; a pipe is read once)", O_RULES },  \
	{ "rule", 'e', "RULE", "inline rules, one or several joined by ';' (repeatable)", O_RULE },     \
	{ "env", 0, "NAME", "rules from environment variable NAME, joined by ';'\n"                   \
			    "(FAILPOINTS='a=return(1);b=sleep(10)'; repeatable)", O_ENV },             \
	{ "events", 'o', "FILE", "write events and summary to FILE (default: stderr)", O_EVENTS },      \
	{ "verbose", 'v', NULL, "an event for every evaluation; -vv adds debug output", O_VERBOSE },    \
	{ "delivery", 'D', "MODE", "auto (default), write (bpf_probe_write_user) or stop", O_DELIVERY }, \
	{ "all-processes", 'A', NULL, "let sys:/kfunc: rules without pid=/comm=/uid=/cgroup=\n"       \
				       "fail calls of every process", O_ALL },                        \
	{ "session", 's', "NAME", "name for set/off/status/wait (default: fpbpf's pid)", O_SESSION },  \
	{ "duration", 'd', "S", "detach after S seconds (run: CMD goes on without faults)", O_DURATION }, \
	{ "max-injections", 'm', "N", "turn every rule off after N injections in total", O_MAX },             \
	{ "backend", 'B', "NAME", "serve sys:/kfunc: rules with this backend only: fmod_ret,\n"           \
				  "kprobe, lsm or seccomp (default: the best the kernel has, per\n"    \
				  "rule, in that order; see fpbpf doctor)", O_BACKEND }

static const char *backend_names(void)
{
	static char names[128];
	size_t used = 0;

	for (int i = 0; sys_backends[i]; i++)
		used += (size_t)snprintf(names + used, sizeof(names) - used, " %s", sys_backends[i]->name);
	return names;
}

static int rule_error(const char *err)
{
	log_error("%s", err);
	return EXIT_USAGE;
}

static int on_session_opt(void *state, int id, const char *arg)
{
	struct session_cmd *c = state;
	char err[1024];
	uint64_t v;
	int64_t pid;

	switch (id) {
	case O_RULES:
		return ruleset_add_file(&c->rs, arg, err, sizeof(err)) ? rule_error(err) : 0;
	case O_RULE:
		return ruleset_add_inline(&c->rs, arg, err, sizeof(err)) ? rule_error(err) : 0;
	case O_ENV:
		return ruleset_add_env(&c->rs, arg, err, sizeof(err)) ? rule_error(err) : 0;
	case O_VERBOSE:
		log_verbosity++;
		return 0;
	case O_EVENTS:
		c->events_path = arg;
		return 0;
	case O_DELIVERY:
		if (!strcmp(arg, "auto") || !strcmp(arg, "write") || !strcmp(arg, "stop")) {
			c->delivery = arg[0] == 'a' ? DELIVERY_AUTO : arg[0] == 'w' ? DELIVERY_WRITE : DELIVERY_STOP;
			return 0;
		}
		log_error("--delivery: unknown mode '%s', expected auto, write or stop", arg);
		return EXIT_USAGE;
	case O_PID:
		if (num_i64(arg, 1, 4194304, &pid)) {
			log_error("--pid: expected a process id, got '%s'", arg);
			return EXIT_USAGE;
		}
		c->pid = (pid_t)pid;
		return 0;
	case O_BINARY:
		c->binary = arg;
		return 0;
	case O_ALL:
		c->all_processes = true;
		return 0;
	case O_SESSION:
		if (!ctl_name_ok(arg, err, sizeof(err)))
			return rule_error(err);
		c->session = arg;
		return 0;
	case O_DURATION:
		if (num_fixed(arg, 3, 86400ULL * 365 * 1000, &v) || !v) {
			log_error("--duration: expected seconds from 0.001 to a year, with at most 3 decimals (like 30 or 0.5), got '%s'", arg);
			return EXIT_USAGE;
		}
		c->duration_ms = (long long)v;
		return 0;
	case O_BACKEND:
		if (!sys_backend_by_name(arg)) {
			log_error("--backend: unknown backend '%s', expected one of%s", arg, backend_names());
			return EXIT_USAGE;
		}
		c->backend = arg;
		return 0;
	case O_MAX:
		if (num_u64(arg, 1, UINT64_MAX, &v)) {
			log_error("--max-injections: expected a whole number from 1 to %llu, got '%s'",
				  (unsigned long long)UINT64_MAX, arg);
			return EXIT_USAGE;
		}
		c->max_injections = v;
		return 0;
	}
	return EXIT_USAGE;
}

static void free_session_cmd(void *state)
{
	ruleset_free(&((struct session_cmd *)state)->rs);
}

/* The exit status: a refused rule 2, a missing command 127, a failure 1, else the
 * command's own status (run) or 0. */
static int session_exit_status(int err, const struct session_result *res)
{
	if (err == -EINVAL)
		return EXIT_USAGE;
	if (err == -ENOENT)
		return 127;
	if (err)
		return EXIT_RUNTIME;
	if (!res->command_ran)
		return EXIT_OK;
	return WIFEXITED(res->wait_status) ? WEXITSTATUS(res->wait_status) : 128 + WTERMSIG(res->wait_status);
}

static int start_session(struct session_cmd *c, char **cmd)
{
	struct session_opts so = {
		.rules = c->rs.rules, .nrules = c->rs.n, .json = log_json, .out = stderr,
		.delivery = c->delivery, .argv = cmd, .pid = c->pid, .binary = c->binary,
		.all_processes = c->all_processes, .rule_files = c->rs.files, .nrule_files = c->rs.nfiles,
		.name = c->session, .duration_ms = c->duration_ms, .max_injections = c->max_injections,
		.backend = c->backend,
	};
	struct session_result res = {};
	char err[1024];
	int ret;

	if (!c->rs.n) {
		log_error("no rules: give -r FILE, -e RULE or --env NAME");
		return EXIT_USAGE;
	}
	if (ruleset_check_limits(c->rs.rules, c->rs.n, err, sizeof(err)))
		return rule_error(err);
	if (geteuid() != 0)
		pr_warn("fpbpf: not running as root: loading BPF programs will likely fail (try sudo)\n");
	if (c->events_path) {
		so.out = fopen(c->events_path, "we");
		if (!so.out) {
			log_error("%s: %s", c->events_path, strerror(errno));
			return EXIT_USAGE;
		}
	}
	ret = session_main(&so, &res);
	if (so.out != stderr)
		fclose(so.out);
	return session_exit_status(ret, &res);
}

static int run_run(void *state, int argc, char **argv)
{
	if (!argc) {
		log_error("run: missing command after the options (fpbpf run -e RULE -- CMD ...)");
		return EXIT_USAGE;
	}
	return start_session(state, argv);
}

static int run_attach(void *state, int argc, char **argv)
{
	struct session_cmd *c = state;

	if (argc) {
		log_error("attach: unexpected argument '%s'", argv[0]);
		return EXIT_USAGE;
	}
	if (c->pid && c->binary) {
		log_error("attach: give only one of -p PID or --binary PATH");
		return EXIT_USAGE;
	}
	for (int i = 0; !c->pid && !c->binary && i < c->rs.n; i++)
		if (!rule_is_kernel(&c->rs.rules[i])) {
			log_error("attach: %s:%d:%d: a failpoint rule needs -p PID or --binary PATH to say where to look",
				  c->rs.rules[i].origin, c->rs.rules[i].line, c->rs.rules[i].target_col);
			return EXIT_USAGE;
		}
	return start_session(c, NULL);
}

static const struct opt run_opts[] = { SESSION_OPTS, { NULL } };
static const struct opt attach_opts[] = {
	SESSION_OPTS,
	{ "pid", 'p', "PID", "the process (its binary and mapped libraries are searched)", O_PID },
	{ "binary", 'b', "PATH", "every process running PATH, current and future", O_BINARY },
	{ NULL },
};

#define SESSION_FOOTER "SIGHUP re-reads the rule files. Rule grammar: docs/rules.md; control: docs/control.md"

const struct cmd cmd_run = {
	.name = "run",
	.synopsis = "[OPTIONS] -- CMD [ARGS]...",
	.summary = "start a command with failpoint rules attached",
	.descr = "Start CMD with the rules attached before it runs; follow its children; exit with\n"
		 "CMD's exit status (2 when a rule is refused, 1 when fpbpf fails).",
	.opts = run_opts,
	.on_opt = on_session_opt,
	.run = run_run,
	.state_size = sizeof(struct session_cmd),
	.state_free = free_session_cmd,
	.stop_at_first_arg = true,
	.footer = SESSION_FOOTER,
};

const struct cmd cmd_attach = {
	.name = "attach",
	.synopsis = "[OPTIONS] [-p PID | --binary PATH]",
	.summary = "attach rules to a running process or binary",
	.descr = "Attach to a running process (and its children), or to every process running PATH,\n"
		 "until Ctrl-C. Without -p or --binary, only sys:/kfunc: rules are allowed, each\n"
		 "scoped by its filters (or --all-processes).",
	.opts = attach_opts,
	.on_opt = on_session_opt,
	.run = run_attach,
	.state_size = sizeof(struct session_cmd),
	.state_free = free_session_cmd,
	.footer = SESSION_FOOTER,
};

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* fpbpf: kernel-assisted fault injection. Subcommands dispatch from a table to do_<cmd>. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "control/control.h"
#include "cli/commands.h"
#include "cli/doctor.h"
#include "rules/kernel_rules.h"
#include "util/log.h"
#include "util/readfile.h"
#include "rules/rules.h"
#include "session/session.h"
#include "elf/usdt_notes.h"

#define FPBPF_VERSION "0.1.0"
#define EXIT_USAGE 2

struct rule_set {
	struct rule *rules;
	int n;
	int inline_count;
	const char *files[64];	/* re-read on reload */
	int nfiles;
};

static int rules_alloc(struct rule_set *rs)
{
	if (!rs->rules)
		rs->rules = calloc(FP_MAX_RULES, sizeof(*rs->rules));
	return rs->rules ? 0 : -1;
}

static int add_rule_file(struct rule_set *rs, const char *path)
{
	char err[512];
	char *text;
	int got;

	if (rules_alloc(rs))
		return -1;
	text = read_whole_file(path);
	if (!text) {
		log_error("%s: %s", path, strerror(errno));
		return -1;
	}
	got = rules_parse_text(text, path, rs->rules + rs->n, FP_MAX_RULES - rs->n, err, sizeof(err));
	free(text);
	if (got < 0) {
		log_error("%s", err);
		return -1;
	}
	rs->n += got;
	if (strcmp(path, "-") && rs->nfiles < (int)(sizeof(rs->files) / sizeof(rs->files[0])))
		rs->files[rs->nfiles++] = path;
	return 0;
}

static int add_rule_inline(struct rule_set *rs, const char *text)
{
	char err[512], origin[32];

	if (rules_alloc(rs))
		return -1;
	if (rs->n == FP_MAX_RULES) {
		log_error("too many rules (at most %d)", FP_MAX_RULES);
		return -1;
	}
	snprintf(origin, sizeof(origin), "-e%d", ++rs->inline_count);
	if (strchr(text, '\n') || rule_parse(text, origin, 1, &rs->rules[rs->n], err, sizeof(err))) {
		log_error("%s", strchr(text, '\n') ? "-e takes one rule: use -r FILE for several" : err);
		return -1;
	}
	rs->n++;
	return 0;
}

/* Options every session command shares; returns 0, or an exit status. */
struct common {
	struct rule_set rs;
	const char *events_path;
	enum delivery delivery;
	pid_t pid;
	const char *binary;
	bool all_processes;
	const char *session;
	long long duration_ms;
	__u64 max_injections;
};

static const struct option session_longopts[] = {
	{ "rules", required_argument, NULL, 'r' }, { "rule", required_argument, NULL, 'e' },
	{ "json", no_argument, NULL, 'j' },	   { "verbose", no_argument, NULL, 'v' },
	{ "events", required_argument, NULL, 'o' }, { "delivery", required_argument, NULL, 'D' },
	{ "pid", required_argument, NULL, 'p' },   { "binary", required_argument, NULL, 'b' },
	{ "all-processes", no_argument, NULL, 'A' }, { "session", required_argument, NULL, 's' },
	{ "duration", required_argument, NULL, 'd' }, { "max-injections", required_argument, NULL, 'm' },
	{ "help", no_argument, NULL, 'h' },	   { NULL, 0, NULL, 0 },
};

static int parse_session_opts(int argc, char **argv, struct common *c, bool attach,
			      void (*usage)(FILE *))
{
	int opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, attach ? "+r:e:jvo:D:p:b:As:d:m:h" : "+r:e:jvo:D:As:d:m:h",
				  session_longopts, NULL)) != -1) {
		switch (opt) {
		case 'r':
			if (add_rule_file(&c->rs, optarg))
				return EXIT_USAGE;
			break;
		case 'e':
			if (add_rule_inline(&c->rs, optarg))
				return EXIT_USAGE;
			break;
		case 'j':
			log_json = true;
			break;
		case 'v':
			log_verbosity++;
			break;
		case 'o':
			c->events_path = optarg;
			break;
		case 'D':
			if (!strcmp(optarg, "auto"))
				c->delivery = DELIVERY_AUTO;
			else if (!strcmp(optarg, "write"))
				c->delivery = DELIVERY_WRITE;
			else if (!strcmp(optarg, "stop"))
				c->delivery = DELIVERY_STOP;
			else {
				log_error("--delivery: unknown mode '%s', expected auto, write or stop", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'p': {
			char *end;
			long v = strtol(optarg, &end, 10);

			if (*end || v <= 0 || v > 4194304) {
				log_error("-p: expected a process id, got '%s'", optarg);
				return EXIT_USAGE;
			}
			c->pid = (pid_t)v;
			break;
		}
		case 'b':
			c->binary = optarg;
			break;
		case 'A':
			c->all_processes = true;
			break;
		case 's':
			if (!ctl_name_ok(optarg))
				return EXIT_USAGE;
			c->session = optarg;
			break;
		case 'd': {
			char *end;
			double v = strtod(optarg, &end);

			if (*end || !(v > 0) || v > 86400.0 * 365) {
				log_error("--duration: expected seconds (like 30 or 0.5), got '%s'", optarg);
				return EXIT_USAGE;
			}
			c->duration_ms = (long long)(v * 1000 + 0.5);
			if (!c->duration_ms)
				c->duration_ms = 1;
			break;
		}
		case 'm': {
			char *end;
			unsigned long long v = strtoull(optarg, &end, 10);

			if (*end || !v || optarg[0] == '-') {
				log_error("--max-injections: expected a positive integer, got '%s'", optarg);
				return EXIT_USAGE;
			}
			c->max_injections = v;
			break;
		}
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (!c->rs.n) {
		log_error("no rules: give -r FILE or -e RULE");
		return EXIT_USAGE;
	}
	return 0;
}

static int run_session(struct common *c, char **cmd)
{
	struct session_opts so = {
		.rules = c->rs.rules, .nrules = c->rs.n, .json = log_json, .out = stderr,
		.delivery = c->delivery, .argv = cmd, .pid = c->pid, .binary = c->binary,
		.all_processes = c->all_processes, .rule_files = c->rs.files, .nrule_files = c->rs.nfiles,
		.name = c->session, .duration_ms = c->duration_ms, .max_injections = c->max_injections,
	};
	int ret;

	if (geteuid() != 0)
		pr_warn("fpbpf: not running as root: loading BPF programs will likely fail (try sudo)\n");
	if (c->events_path) {
		so.out = fopen(c->events_path, "we");
		if (!so.out) {
			log_error("%s: %s", c->events_path, strerror(errno));
			free(c->rs.rules);
			return EXIT_USAGE;
		}
	}
	ret = session_main(&so);
	if (so.out != stderr)
		fclose(so.out);
	free(c->rs.rules);
	return ret;
}

static void usage_run(FILE *f)
{
	fputs("Usage: fpbpf run [-r FILE]... [-e RULE]... [--json] [-o FILE] [-v] -- CMD [ARGS]...\n"
	      "Start CMD with failpoint rules attached before it runs; follow its children;\n"
	      "exit with CMD's exit status.\n"
	      "  -r, --rules FILE      rule file (repeatable; '#' comments)\n"
	      "  -e, --rule RULE       one inline rule (repeatable)\n"
	      "  -j, --json            events and summary as JSON lines\n"
	      "  -o, --events FILE     write events and summary to FILE (default: stderr)\n"
	      "  -v, --verbose         an event for every evaluation; -vv adds debug output\n"
	      "  -D, --delivery MODE   auto (default), write (bpf_probe_write_user) or stop\n"
	      "  -A, --all-processes   let sys:/kfunc: rules without pid=/comm=/uid=/cgroup=\n"
	      "                        fail calls of every process (in run: CMD is the scope)\n"
	      "  -s, --session NAME    name for set/off/status/wait (default: fpbpf's pid)\n"
	      "  -d, --duration S      detach after S seconds (run: CMD goes on without faults)\n"
	      "  -m, --max-injections N  turn every rule off after N injections in total\n"
	      "SIGHUP re-reads the rule files. Rule grammar: docs/rules.md; control: docs/control.md\n", f);
}

static int do_run(int argc, char **argv)
{
	struct common c = {};
	int ret = parse_session_opts(argc, argv, &c, false, usage_run);

	if (ret) {
		free(c.rs.rules);
		return ret;
	}
	if (optind >= argc) {
		log_error("run: missing command after the options (fpbpf run -e RULE -- CMD ...)");
		free(c.rs.rules);
		return EXIT_USAGE;
	}
	return run_session(&c, argv + optind);
}

static void usage_attach(FILE *f)
{
	fputs("Usage: fpbpf attach [-r FILE]... [-e RULE]... [--json] [-o FILE] [-p PID | --binary PATH]\n"
	      "Attach to a running process (and its children), or to every process running\n"
	      "PATH, until Ctrl-C. Options as for 'fpbpf run'. Without -p or --binary, only\n"
	      "sys:/kfunc: rules are allowed, each scoped by its filters (or --all-processes).\n"
	      "  -p, --pid PID         the process (its binary and mapped libraries are searched)\n"
	      "  -b, --binary PATH     every process running PATH, current and future\n", f);
}

static int do_attach(int argc, char **argv)
{
	struct common c = {};
	int ret = parse_session_opts(argc, argv, &c, true, usage_attach);

	if (!ret && c.pid && c.binary) {
		log_error("attach: give only one of -p PID or --binary PATH");
		ret = EXIT_USAGE;
	}
	for (int i = 0; !ret && !c.pid && !c.binary && i < c.rs.n; i++)
		if (!rule_is_kernel(&c.rs.rules[i])) {
			log_error("attach: %s:%d: a failpoint rule needs -p PID or --binary PATH to say where to look",
				  c.rs.rules[i].origin, c.rs.rules[i].line);
			ret = EXIT_USAGE;
		}
	if (!ret && optind < argc) {
		log_error("attach: unexpected argument '%s'", argv[optind]);
		ret = EXIT_USAGE;
	}
	if (ret) {
		free(c.rs.rules);
		return ret;
	}
	return run_session(&c, NULL);
}

static void usage_check(FILE *f)
{
	fputs("Usage: fpbpf check [--binary PATH]... FILE...\n"
	      "Validate rule files without attaching. With --binary, also check that every\n"
	      "failpoint exists there and accepts the rule's actions.\n", f);
}

static int do_check(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "binary", required_argument, NULL, 'b' }, { "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	struct rule_set rs = {};
	struct usdt_file files[16];
	int nfiles = 0, opt, ret = 0;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "+b:jh", longopts, NULL)) != -1) {
		char err[512];

		switch (opt) {
		case 'b':
			if (nfiles == 16 || usdt_file_read(optarg, &files[nfiles], err, sizeof(err))) {
				log_error("%s", nfiles == 16 ? "too many --binary" : err);
				ret = EXIT_USAGE;
				goto out;
			}
			nfiles++;
			break;
		case 'j':
			log_json = true;
			break;
		case 'h':
			usage_check(stdout);
			goto out;
		default:
			usage_check(stderr);
			ret = EXIT_USAGE;
			goto out;
		}
	}
	if (optind >= argc) {
		log_error("check: no rule files given");
		ret = EXIT_USAGE;
		goto out;
	}
	for (int i = optind; i < argc; i++)
		if (add_rule_file(&rs, argv[i])) {
			ret = EXIT_USAGE;
			goto out;
		}
	if (nfiles && session_resolve_check(rs.rules, rs.n, files, nfiles)) {
		ret = EXIT_USAGE;
		goto out;
	}
	if (log_json)
		printf("{\"v\":1,\"type\":\"check\",\"ok\":true,\"rules\":%d}\n", rs.n);
	else
		printf("%d rule(s) OK\n", rs.n);
out:
	for (int i = 0; i < nfiles; i++)
		usdt_file_free(&files[i]);
	free(rs.rules);
	return ret;
}

static void usage_list(FILE *f)
{
	fputs("Usage: fpbpf list [--json] (BINARY... | -p PID)\n"
	      "Print the USDT probes of ELF files, or of a process's binary and mapped libraries:\n"
	      "provider, name, argument spec, semaphore and address.\n", f);
}

static void list_file(const struct usdt_file *uf, bool json)
{
	for (int i = 0; i < uf->n; i++) {
		const struct usdt_note *n = &uf->notes[i];
		bool vp = false, marker = usdt_note_is_marker(n, &vp);
		const char *kind = marker ? (vp ? "value" : "point") : "usdt";

		if (json) {
			printf("{\"v\":1,\"type\":\"probe\",\"file\":");
			json_print_string(stdout, uf->path);
			printf(",\"provider\":\"%s\",\"name\":\"%s\",\"kind\":\"%s\",\"args\":", n->provider, n->name, kind);
			json_print_string(stdout, n->args);
			printf(",\"semaphore\":\"0x%llx\",\"address\":\"0x%llx\"}\n", (unsigned long long)n->sema,
			       (unsigned long long)n->addr);
		} else {
			printf("%s %s:%s [%s] args=\"%s\" semaphore=0x%llx address=0x%llx\n", uf->path, n->provider,
			       n->name, kind, n->args, (unsigned long long)n->sema, (unsigned long long)n->addr);
		}
	}
}

static int do_list(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "pid", required_argument, NULL, 'p' }, { "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	const char *pid = NULL;
	char err[512];
	int opt, ret = 0;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "+p:jh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			pid = optarg;
			break;
		case 'j':
			log_json = true;
			break;
		case 'h':
			usage_list(stdout);
			return 0;
		default:
			usage_list(stderr);
			return EXIT_USAGE;
		}
	}
	if (!pid == (optind >= argc)) {
		log_error("list: give ELF files or -p PID (not both)");
		return EXIT_USAGE;
	}
	if (pid) {
		char path[PATH_MAX + 64], line[PATH_MAX + 128], seen[64][512];
		int nseen = 0;
		FILE *maps;

		snprintf(path, sizeof(path), "/proc/%s/maps", pid);
		maps = fopen(path, "re");
		if (!maps) {
			log_error("-p %s: %s", pid, strerror(errno));
			return EXIT_USAGE;
		}
		while (fgets(line, sizeof(line), maps)) {
			char *file = strchr(line, '/');
			struct usdt_file uf;
			bool dup = false;

			if (!file)
				continue;
			file[strcspn(file, "\n")] = 0;
			for (int i = 0; i < nseen; i++)
				dup |= !strcmp(seen[i], file);
			if (dup || strlen(file) >= sizeof(seen[0]))
				continue;
			if (nseen < 64)
				snprintf(seen[nseen++], sizeof(seen[0]), "%s", file);
			if (usdt_file_read(file, &uf, err, sizeof(err)))
				continue;
			list_file(&uf, log_json);
			usdt_file_free(&uf);
		}
		fclose(maps);
		return 0;
	}
	for (int i = optind; i < argc; i++) {
		struct usdt_file uf;

		if (usdt_file_read(argv[i], &uf, err, sizeof(err))) {
			log_error("%s", err);
			ret = 1;
			continue;
		}
		list_file(&uf, log_json);
		usdt_file_free(&uf);
	}
	return ret;
}

static void usage_doctor(FILE *f)
{
	fputs("Usage: fpbpf doctor [--json]\n"
	      "Report each kernel capability fpbpf uses, what needs it, and what to do when\n"
	      "it is missing. Exits 1 when USDT failpoints cannot run here.\n", f);
}

static int do_doctor(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json") || !strcmp(argv[i], "-j")) {
			log_json = true;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage_doctor(stdout);
			return 0;
		} else {
			log_error("doctor: unknown option '%s'", argv[i]);
			return EXIT_USAGE;
		}
	}
	return doctor_report(log_json);
}

static int do_help(int argc, char **argv);

static const struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	void (*usage)(FILE *f);
	const char *summary;
} cmds[] = {
	{ "run", do_run, usage_run, "start a command with failpoint rules attached" },
	{ "attach", do_attach, usage_attach, "attach rules to a running process or binary" },
	{ "list", do_list, usage_list, "list USDT probes in files or a process" },
	{ "set", do_set, usage_set, "add or replace rules in a running session" },
	{ "off", do_off, usage_off, "remove the rules on failpoints of a running session" },
	{ "status", do_status, usage_status, "show a running session's rules and counters" },
	{ "wait", do_wait, usage_wait, "wait until a failpoint has injected N times" },
	{ "reload", do_reload, usage_reload, "re-read a running session's rule files" },
	{ "check", do_check, usage_check, "validate rule files" },
	{ "doctor", do_doctor, usage_doctor, "report the kernel capabilities fpbpf uses" },
	{ "help", do_help, NULL, "help on a command" },
};

static void usage(FILE *f)
{
	fputs("Usage: fpbpf [-v] COMMAND [OPTIONS]\n"
	      "Kernel-assisted fault injection: USDT failpoints and syscall faults driven from BPF.\n\nCommands:\n", f);
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(f, "  %-8s %s\n", cmds[i].name, cmds[i].summary);
	fputs("\n'fpbpf help COMMAND' or 'fpbpf COMMAND --help' for a command's options.\n", f);
}

static int do_help(int argc, char **argv)
{
	if (argc < 2) {
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(cmds[i].name, argv[1]) && cmds[i].usage) {
			cmds[i].usage(stdout);
			return 0;
		}
	log_error("help: unknown command '%s'", argv[1]);
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	int first = 1;

	while (first < argc && !strcmp(argv[first], "-v")) {
		log_verbosity++;
		first++;
	}
	log_setup_libbpf();
	if (first >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[first], "--help") || !strcmp(argv[first], "-h")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[first], "--version")) {
		printf("fpbpf %s\n", FPBPF_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(cmds[i].name, argv[first]))
			return cmds[i].fn(argc - first, argv + first);
	log_error("unknown command '%s', expected one of run, attach, set, off, status, wait, reload, list, check, doctor, help",
		  argv[first]);
	return EXIT_USAGE;
}

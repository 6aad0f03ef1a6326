// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Commands that look without attaching: list (the probes of files or a process) and
 * check (rule files, and with --binary whether each failpoint exists there). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/commands.h"
#include "elf/usdt_notes.h"
#include "rules/kernel_rules.h"
#include "rules/ruleset.h"
#include "session/probe_table.h"
#include "util/json_writer.h"
#include "util/log.h"
#include "util/num.h"

enum { O_PID = 'p', O_BINARY = 'b' };

struct list_cmd {
	const char *pid;
};

static const char *probe_kind(const struct usdt_file *f, const struct usdt_note *n)
{
	struct marker m;

	if (!usdt_note_marker(f, n, &m))
		return "usdt";
	return m.value_point ? "value" : "point";
}

static void list_note(const struct usdt_file *uf, const struct usdt_note *n)
{
	char addr[32], sema[32];
	struct rec r;

	snprintf(addr, sizeof(addr), "0x%llx", (unsigned long long)n->addr);
	snprintf(sema, sizeof(sema), "0x%llx", (unsigned long long)n->sema);
	rec_init(&r);
	rec_int(&r, "v", 1, REC_JSON_ONLY);
	rec_str(&r, "type", "probe", REC_JSON_ONLY);
	rec_str(&r, "file", uf->path, REC_BARE);
	rec_str(&r, "provider", n->provider, REC_JSON_ONLY);
	rec_str(&r, "name", n->name, REC_JSON_ONLY);
	{
		char site[2 * sizeof(n->name) + 2];

		snprintf(site, sizeof(site), "%s:%s", n->provider, n->name);
		rec_str(&r, "", site, REC_TEXT_ONLY);
	}
	rec_str(&r, "kind", probe_kind(uf, n), REC_JSON_ONLY);
	{
		char kind[16];

		snprintf(kind, sizeof(kind), "[%s]", probe_kind(uf, n));
		rec_str(&r, "", kind, REC_TEXT_ONLY);
	}
	rec_str(&r, "args", n->args, REC_QUOTED);
	rec_str(&r, "semaphore", sema, REC_KV);
	rec_str(&r, "address", addr, REC_KV);
	if (log_json)
		rec_print_json(&r, stdout);
	else
		rec_print_text(&r, stdout, NULL);
}

static void list_file(const struct usdt_file *uf, bool say_empty)
{
	for (int i = 0; i < uf->n; i++)
		list_note(uf, &uf->notes[i]);
	if (!uf->n && say_empty) {
		struct rec r;

		rec_init(&r);
		rec_int(&r, "v", 1, REC_JSON_ONLY);
		rec_str(&r, "type", "no_probes", REC_JSON_ONLY);
		rec_str(&r, "file", uf->path, REC_BARE);
		rec_str(&r, "", "has no USDT probes", REC_TEXT_ONLY);
		if (log_json)
			rec_print_json(&r, stdout);
		else
			rec_print_text(&r, stdout, NULL);
	}
}

static int list_process(const char *pid)
{
	char path[PATH_MAX + 64], line[PATH_MAX + 128], err[512];
	char (*seen)[PATH_MAX] = calloc(256, PATH_MAX);
	int nseen = 0;
	int64_t v;
	FILE *maps;

	if (num_i64(pid, 1, 4194304, &v)) {
		log_error("list: --pid: expected a process id, got '%s'", pid);
		free(seen);
		return EXIT_USAGE;
	}
	snprintf(path, sizeof(path), "/proc/%lld/maps", (long long)v);
	maps = seen ? fopen(path, "re") : NULL;
	if (!maps) {
		log_error("list: -p %s: %s", pid, errno == ENOENT ? "no such process" : strerror(errno));
		free(seen);
		return EXIT_RUNTIME;
	}
	while (fgets(line, sizeof(line), maps)) {
		char *file = strchr(line, '/');
		struct usdt_file uf;
		bool dup = false;

		if (!file)
			continue;
		file[strcspn(file, "\n")] = 0;
		for (int i = 0; i < nseen && !dup; i++)
			dup = !strcmp(seen[i], file);
		if (dup || nseen == 256)
			continue;
		snprintf(seen[nseen++], PATH_MAX, "%s", file);
		if (usdt_file_read(file, &uf, err, sizeof(err)))
			continue;
		list_file(&uf, false);
		usdt_file_free(&uf);
	}
	fclose(maps);
	free(seen);
	return EXIT_OK;
}

static int on_list_opt(void *state, int id, const char *arg)
{
	((struct list_cmd *)state)->pid = arg;
	return id == O_PID ? 0 : EXIT_USAGE;
}

static int run_list(void *state, int argc, char **argv)
{
	struct list_cmd *c = state;
	char err[512];
	int ret = EXIT_OK;

	if (!c->pid == !argc) {
		log_error("list: give ELF files or -p PID (not both)");
		return EXIT_USAGE;
	}
	if (c->pid)
		return list_process(c->pid);
	for (int i = 0; i < argc; i++) {
		struct usdt_file uf;

		if (usdt_file_read(argv[i], &uf, err, sizeof(err))) {
			log_error("%s", err);
			ret = EXIT_RUNTIME;
			continue;
		}
		list_file(&uf, true);
		usdt_file_free(&uf);
	}
	return ret;
}

struct check_cmd {
	struct probe_table *pt;
	int nbinaries;
};

static int on_check_opt(void *state, int id, const char *arg)
{
	struct check_cmd *c = state;

	if (id != O_BINARY)
		return EXIT_USAGE;
	if (!c->pt && !(c->pt = probe_table__new()))
		return EXIT_RUNTIME;
	if (probe_table__add_file(c->pt, arg) < 0)
		return EXIT_USAGE;
	c->nbinaries++;
	return 0;
}

static void free_check(void *state)
{
	probe_table__free(((struct check_cmd *)state)->pt);
}

/* Kernel rules are checked for their own words here; the running kernel is run's business. */
static int resolve_all(struct check_cmd *c, const struct ruleset *rs)
{
	char err[1024];

	for (int i = 0; i < rs->n; i++) {
		struct rule r = rs->rules[i];

		if (rule_is_kernel(&r)) {
			if (kernel_rule_prepare(&r, true, false, err, sizeof(err))) {
				log_error("%s", err);
				return EXIT_USAGE;
			}
			continue;
		}
		if (c->nbinaries && probe_table__resolve(c->pt, &r, i, NULL))
			return EXIT_USAGE;
	}
	return EXIT_OK;
}

static int run_check(void *state, int argc, char **argv)
{
	struct check_cmd *c = state;
	struct ruleset rs = {};
	char err[1024];
	int ret = EXIT_OK;

	if (!argc) {
		log_error("check: no rule files given");
		return EXIT_USAGE;
	}
	for (int i = 0; i < argc && !ret; i++)
		if (ruleset_add_file(&rs, argv[i], err, sizeof(err))) {
			log_error("%s", err);
			ret = EXIT_USAGE;
		}
	if (!ret && ruleset_check_limits(rs.rules, rs.n, err, sizeof(err))) {
		log_error("%s", err);
		ret = EXIT_USAGE;
	}
	if (!ret)
		ret = resolve_all(c, &rs);
	if (!ret && log_json) {
		struct rec r;

		rec_init(&r);
		rec_int(&r, "v", 1, REC_KV);
		rec_str(&r, "type", "check", REC_KV);
		rec_bool(&r, "ok", true, REC_KV);
		rec_int(&r, "rules", rs.n, REC_KV);
		rec_print_json(&r, stdout);
	} else if (!ret) {
		printf("%d rule(s) OK\n", rs.n);
	}
	ruleset_free(&rs);
	return ret;
}

static const struct opt list_opts[] = {
	{ "pid", 'p', "PID", "the probes of a process: its binary and mapped libraries", O_PID },
	{ NULL },
};

static const struct opt check_opts[] = {
	{ "binary", 'b', "PATH", "also check each failpoint exists in PATH and accepts its\nactions (repeatable)", O_BINARY },
	{ NULL },
};

const struct cmd cmd_list = {
	.name = "list",
	.synopsis = "[OPTIONS] (FILE... | -p PID)",
	.summary = "list USDT probes in files or a process",
	.descr = "Print the USDT probes of ELF files, or of a process's binary and mapped libraries:\n"
		 "provider, name, kind (value/point failpoint or other usdt), argument spec,\n"
		 "semaphore and address.",
	.opts = list_opts,
	.on_opt = on_list_opt,
	.run = run_list,
	.state_size = sizeof(struct list_cmd),
};

const struct cmd cmd_check = {
	.name = "check",
	.synopsis = "[OPTIONS] FILE...",
	.summary = "validate rule files",
	.descr = "Validate rule files without attaching: the same checks and limits as run and\n"
		 "attach (exit 2 on the first error, with FILE:LINE:COL).",
	.opts = check_opts,
	.on_opt = on_check_opt,
	.run = run_check,
	.state_size = sizeof(struct check_cmd),
	.state_free = free_check,
};

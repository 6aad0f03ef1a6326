/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Commands and their options as tables: one table makes the parser, the usage line and
 * the help text, so they cannot drift apart (as xdp-tools' params and bpftool do). */
#ifndef FPBPF_OPTS_H
#define FPBPF_OPTS_H

#include <stdbool.h>
#include <stdio.h>

/* Exit statuses, decided here in the command layer only. */
/* EXIT_FOUND: explore found a crash, a hang or a wrong result. */
enum { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2, EXIT_FOUND = 3 };

struct opt {
	const char *lng;	/* --lng */
	char shrt;		/* -s, or 0 */
	const char *metavar;	/* NULL: a flag; else the argument's name in help */
	const char *help;	/* may hold '\n' for more lines */
	int id;			/* handed to the command; unique within its table */
};

struct cmd {
	const char *name;
	const char *synopsis;	/* after "fpbpf NAME" in the usage line */
	const char *summary;	/* one line in `fpbpf help` */
	const char *descr;	/* paragraph under the usage line */
	const struct opt *opts;	/* ends with { NULL }; --json and --help are added to every command */
	/* Called for each option; returns 0 or an exit status. */
	int (*on_opt)(void *state, int id, const char *arg);
	/* After the options; args are what follows them. Returns the exit status. */
	int (*run)(void *state, int argc, char **argv);
	size_t state_size;	/* zeroed state handed to on_opt and run */
	void (*state_free)(void *state);
	bool stop_at_first_arg;	/* options end at the first non-option (run -- CMD) */
	const char *footer;	/* after the options in help, or NULL */
};

/* Parses argv (argv[0] is the command name), handles --help and --json, runs the command
 * and returns its exit status. */
int cmd_main(const struct cmd *c, int argc, char **argv);
void cmd_print_help(const struct cmd *c, FILE *f);

#endif

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* fpbpf: kernel-assisted fault injection. Commands come from one table; each command's
 * own table makes its parser and its help (cli/opts.h). */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include "cli/commands.h"
#include "util/json_writer.h"
#include "util/log.h"

#define FPBPF_VERSION "0.2.0"

static const struct cmd *const cmds[] = {
	&cmd_run, &cmd_attach, &cmd_explore, &cmd_list, &cmd_set, &cmd_off, &cmd_status, &cmd_wait,
	&cmd_reload, &cmd_check, &cmd_doctor, NULL,
};

static void usage(FILE *f)
{
	fputs("Usage: fpbpf [-v] COMMAND [OPTIONS]\n"
	      "Kernel-assisted fault injection: USDT failpoints and syscall faults driven from BPF.\n\nCommands:\n", f);
	for (int i = 0; cmds[i]; i++)
		fprintf(f, "  %-8s %s\n", cmds[i]->name, cmds[i]->summary);
	fprintf(f, "  %-8s %s\n", "help", "help on a command");
	fputs("\n'fpbpf help COMMAND' or 'fpbpf COMMAND --help' for a command's options.\n"
	      "Exit status: 0 success, 2 a usage or rule error, 1 a runtime failure; run returns\n"
	      "the command's own status.\n", f);
}

static const struct cmd *find_cmd(const char *name)
{
	for (int i = 0; cmds[i]; i++)
		if (!strcmp(cmds[i]->name, name))
			return cmds[i];
	return NULL;
}

static void unknown(const char *what, const char *name)
{
	char list[256] = "";
	size_t used = 0;

	for (int i = 0; cmds[i]; i++)
		used += (size_t)snprintf(list + used, sizeof(list) - used, "%s, ", cmds[i]->name);
	log_error("%s'%s', expected one of %shelp", what, name, list);
}

/* With --json, help too is one JSON line: the text as a string. */
static void print_help(const struct cmd *c)
{
	char *text = NULL;
	size_t len = 0;
	FILE *m;

	if (!log_json) {
		c ? cmd_print_help(c, stdout) : usage(stdout);
		return;
	}
	m = open_memstream(&text, &len);
	if (!m)
		return;
	c ? cmd_print_help(c, m) : usage(m);
	fclose(m);
	{
		struct jw *w = jw_record(stdout, "help");

		jw_kstr(w, "text", text);
		jw_record_end(w);
	}
	free(text);
}

static int help(int argc, char **argv)
{
	const struct cmd *c;
	int i = 1;

	while (i < argc && (!strcmp(argv[i], "--json") || !strcmp(argv[i], "-j"))) {
		log_json = true;
		i++;
	}
	if (i >= argc) {
		print_help(NULL);
		return EXIT_OK;
	}
	c = find_cmd(argv[i]);
	if (!c) {
		unknown("help: unknown command ", argv[i]);
		return EXIT_USAGE;
	}
	print_help(c);
	return EXIT_OK;
}

/* A descriptor 0-2 that is closed would be the next one opened: a socket or a BPF
 * object would then take what is printed to stdout or stderr. */
static void std_fds_open(void)
{
	for (int fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", fd ? O_WRONLY : O_RDONLY) != fd)
			_exit(EXIT_RUNTIME);
}

int main(int argc, char **argv)
{
	const struct cmd *c;
	int first = 1;

	std_fds_open();
	/* Options before the command: -v, and --json so that even "no command" is JSON. */
	for (; first < argc; first++) {
		if (!strcmp(argv[first], "-v"))
			log_verbosity++;
		else if (!strcmp(argv[first], "--json") || !strcmp(argv[first], "-j"))
			log_json = true;
		else
			break;
	}
	log_setup_libbpf();
	if (first >= argc) {
		if (log_json)
			log_error("no command given, expected one of run, attach, explore, list, set, off, status, wait, reload, check, doctor, help");
		else
			usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[first], "--help") || !strcmp(argv[first], "-h"))
		return print_help(NULL), EXIT_OK;
	if (!strcmp(argv[first], "--version")) {
		printf("fpbpf %s\n", FPBPF_VERSION);
		return EXIT_OK;
	}
	if (!strcmp(argv[first], "help"))
		return help(argc - first, argv + first);
	c = find_cmd(argv[first]);
	if (!c) {
		unknown("unknown command ", argv[first]);
		return EXIT_USAGE;
	}
	return cmd_main(c, argc - first, argv + first);
}

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include "cli/opts.h"
#include "util/log.h"

enum { ID_HELP = -100, ID_JSON = -101 };

static const struct opt common_opts[] = {
	{ "json", 'j', NULL, "every line printed is one JSON object, errors included", ID_JSON },
	{ "help", 'h', NULL, "this help", ID_HELP },
	{ NULL },
};

static int count_opts(const struct opt *o)
{
	int n = 0;

	while (o && o[n].lng)
		n++;
	return n;
}

static const struct opt *nth_opt(const struct cmd *c, int i)
{
	int own = count_opts(c->opts);

	return i < own ? &c->opts[i] : &common_opts[i - own];
}

/* A common option's short letter gives way to the command's own (explore -j N). */
static char short_of(const struct cmd *c, int i)
{
	int own = count_opts(c->opts);
	char ch = nth_opt(c, i)->shrt;

	for (int k = 0; ch && i >= own && k < own; k++)
		if (c->opts[k].shrt == ch)
			return 0;
	return ch;
}

static void print_opt(FILE *f, const struct opt *o, char shrt)
{
	char left[64];
	const char *h = o->help;

	snprintf(left, sizeof(left), "%s%c%s--%s%s%s", shrt ? "-" : "", shrt ? shrt : ' ',
		 shrt ? ", " : "  ", o->lng, o->metavar ? " " : "", o->metavar ? o->metavar : "");
	if (!shrt)
		memmove(left, left + 1, strlen(left));
	for (bool first = true; h; first = false) {
		const char *nl = strchr(h, '\n');
		int len = nl ? (int)(nl - h) : (int)strlen(h);

		fprintf(f, "  %-26s %.*s\n", first ? left : "", len, h);
		h = nl ? nl + 1 : NULL;
	}
}

void cmd_print_help(const struct cmd *c, FILE *f)
{
	int n = count_opts(c->opts) + count_opts(common_opts);

	fprintf(f, "Usage: fpbpf %s %s\n", c->name, c->synopsis);
	if (c->descr)
		fprintf(f, "%s\n", c->descr);
	fputs("Options:\n", f);
	for (int i = 0; i < n; i++)
		print_opt(f, nth_opt(c, i), short_of(c, i));
	if (c->footer)
		fprintf(f, "%s\n", c->footer);
}

/* getopt_long's tables, built from ours; val is the index into ours (+256). */
static int build_getopt(const struct cmd *c, struct option **longs, char *shorts, size_t slen)
{
	int n = count_opts(c->opts) + count_opts(common_opts);
	size_t used = 0;

	*longs = calloc((size_t)n + 1, sizeof(**longs));
	if (!*longs)
		return -1;
	if (c->stop_at_first_arg)
		shorts[used++] = '+';
	shorts[used++] = ':';	/* report a missing argument apart from an unknown option */
	for (int i = 0; i < n; i++) {
		const struct opt *o = nth_opt(c, i);

		(*longs)[i] = (struct option){ o->lng, o->metavar ? required_argument : no_argument, NULL, 256 + i };
		if (short_of(c, i) && used + 3 < slen) {
			shorts[used++] = o->shrt;
			if (o->metavar)
				shorts[used++] = ':';
		}
	}
	shorts[used] = 0;
	return n;
}

static int short_index(const struct cmd *c, int ch)
{
	int n = count_opts(c->opts) + count_opts(common_opts);

	for (int i = 0; i < n; i++)
		if (short_of(c, i) == ch)
			return i;
	return -1;
}

static int bad_option(const struct cmd *c, int ch, char **argv, bool missing)
{
	const char *word = argv[optind - 1];

	if (missing)
		log_error("%s: option '%s' needs an argument; see 'fpbpf %s --help'", c->name, word, c->name);
	else if (ch && ch != '?')
		log_error("%s: unknown option '-%c'; see 'fpbpf %s --help'", c->name, ch, c->name);
	else
		log_error("%s: unknown option '%s'; see 'fpbpf %s --help'", c->name, word, c->name);
	return EXIT_USAGE;
}

static int parse(const struct cmd *c, void *state, int argc, char **argv)
{
	struct option *longs;
	char shorts[128];
	int ch, ret = 0;

	if (build_getopt(c, &longs, shorts, sizeof(shorts)) < 0)
		return EXIT_RUNTIME;
	optind = 1;
	opterr = 0;
	while (!ret && (ch = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
		int idx = ch >= 256 ? ch - 256 : ch == ':' || ch == '?' ? -1 : short_index(c, ch);
		const struct opt *o;

		if (idx < 0) {
			ret = bad_option(c, optopt, argv, ch == ':');
			break;
		}
		o = nth_opt(c, idx);
		if (o->id == ID_HELP) {
			cmd_print_help(c, stdout);
			ret = -1;
		} else if (o->id == ID_JSON) {
			log_json = true;
		} else {
			ret = c->on_opt ? c->on_opt(state, o->id, optarg) : EXIT_USAGE;
		}
	}
	free(longs);
	return ret;
}

static const struct opt *find_long(const struct cmd *c, const char *name, size_t len)
{
	int n = count_opts(c->opts) + count_opts(common_opts);

	for (int i = 0; i < n; i++)
		if (strlen(nth_opt(c, i)->lng) == len && !strncmp(nth_opt(c, i)->lng, name, len))
			return nth_opt(c, i);
	return NULL;
}

/* Errors found while parsing must already be JSON when --json comes later on the line;
 * the walk follows the table so an option's argument is never taken for --json. */
static void prescan_json(const struct cmd *c, int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		const char *a = argv[i];

		if (a[0] != '-' || !a[1]) {
			if (c->stop_at_first_arg)
				return;
			continue;
		}
		if (a[1] == '-') {
			const struct opt *o = find_long(c, a + 2, strcspn(a + 2, "="));

			if (o && o->id == ID_JSON)
				log_json = true;
			i += o && o->metavar && !strchr(a, '=');
			continue;
		}
		for (const char *p = a + 1; *p; p++) {
			int k = short_index(c, *p);
			const struct opt *o = k >= 0 ? nth_opt(c, k) : NULL;

			if (o && o->id == ID_JSON)
				log_json = true;
			if (o && o->metavar) {
				i += !p[1];
				break;
			}
		}
	}
}

int cmd_main(const struct cmd *c, int argc, char **argv)
{
	void *state = c->state_size ? calloc(1, c->state_size) : NULL;
	int ret;

	if (c->state_size && !state)
		return EXIT_RUNTIME;
	prescan_json(c, argc, argv);
	ret = parse(c, state, argc, argv);
	if (ret == 0)
		ret = c->run(state, argc - optind, argv + optind);
	else if (ret < 0)
		ret = EXIT_OK;	/* --help */
	if (state && c->state_free)
		c->state_free(state);
	free(state);
	return ret;
}

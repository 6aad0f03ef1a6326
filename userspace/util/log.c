// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdarg.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "util/log.h"

int log_verbosity = LOG_WARN;
bool log_json;
static char *capture_buf;
static size_t capture_len;

void log_capture(char *buf, size_t len)
{
	capture_buf = buf;
	capture_len = len;
	if (buf && len)
		buf[0] = 0;
}

static void vlog(enum log_level level, const char *fmt, va_list ap)
{
	if ((int)level > log_verbosity)
		return;
	vfprintf(stderr, fmt, ap);
}

void log_print(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(level, fmt, ap);
	va_end(ap);
}

void json_print_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", out);
		else if (c == '\t')
			fputs("\\t", out);
		else if (c < 0x20)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

void log_error(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (capture_buf) {
		if (!capture_buf[0])
			snprintf(capture_buf, capture_len, "%s", msg);
		return;
	}
	if (log_json) {
		fputs("{\"v\":1,\"type\":\"error\",\"message\":", stderr);
		json_print_string(stderr, msg);
		fputs("}\n", stderr);
	} else {
		fprintf(stderr, "fpbpf: %s\n", msg);
	}
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	/* libbpf warns about things we probe on purpose; show them only with -vv. */
	enum log_level ours = level == LIBBPF_DEBUG ? LOG_LIBBPF : LOG_DEBUG;

	if ((int)ours > log_verbosity)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

void log_setup_libbpf(void)
{
	libbpf_set_print(libbpf_print);
}

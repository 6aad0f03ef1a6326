// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "util/json_writer.h"
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

static void emit(const char *type, const char *msg)
{
	struct rec r;
	size_t len;

	if (!log_json) {
		fputs(msg, stderr);
		return;
	}
	if (!strncmp(msg, "fpbpf: ", 7))
		msg += 7;
	len = strlen(msg);
	while (len && msg[len - 1] == '\n')
		len--;
	if (!len)
		return;
	rec_init(&r);
	rec_int(&r, "v", 1, REC_KV);
	rec_str(&r, "type", type, REC_KV);
	{
		char buf[2048];

		snprintf(buf, sizeof(buf), "%.*s", (int)len, msg);
		rec_str(&r, "message", buf, REC_KV);
	}
	rec_print_json(&r, stderr);
}

static void vlog(enum log_level level, const char *fmt, va_list ap)
{
	static const char *const types[] = { "warning", "info", "debug", "debug" };
	char msg[2048];

	if ((int)level > log_verbosity)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	emit(types[level], msg);
}

void log_print(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(level, fmt, ap);
	va_end(ap);
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
		emit("error", msg);
	} else {
		fprintf(stderr, "fpbpf: %s\n", msg);
	}
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	/* libbpf warns about things we probe on purpose; show them only with -vv. */
	enum log_level ours = level == LIBBPF_DEBUG ? LOG_LIBBPF : LOG_DEBUG;

	vlog(ours, fmt, ap);
	return 0;
}

void log_setup_libbpf(void)
{
	libbpf_set_print(libbpf_print);
}

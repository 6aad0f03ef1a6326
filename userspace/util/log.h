/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Messages for the person or program running fpbpf, on stderr: plain lines, or with
 * --json one JSON object per line ({"v":1,"type":"error","message":...}). */
#ifndef FPBPF_LOG_H
#define FPBPF_LOG_H

#include <stdbool.h>
#include <stddef.h>

enum log_level { LOG_WARN = 0, LOG_INFO = 1, LOG_DEBUG = 2, LOG_LIBBPF = 3 };

extern int log_verbosity;	/* raised by each -v */
extern bool log_json;		/* --json: every line is a JSON object */

/* A warning, note or debug line; a leading "fpbpf: " and the trailing newline are
 * the text form's and are dropped from the JSON form. */
void log_print(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define pr_warn(...) log_print(LOG_WARN, __VA_ARGS__)
#define pr_info(...) log_print(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) log_print(LOG_DEBUG, __VA_ARGS__)

/* The one error printer: "fpbpf: MSG" or {"v":1,"type":"error","message":MSG}. */
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* While a capture buffer is set, log_error keeps the first message there instead of
 * printing it: the control socket hands it back to the client that caused it. */
void log_capture(char *buf, size_t len);

void log_setup_libbpf(void);

#endif

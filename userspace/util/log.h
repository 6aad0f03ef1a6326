/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef FPBPF_LOG_H
#define FPBPF_LOG_H

#include <stdbool.h>
#include <stdio.h>

enum log_level { LOG_WARN = 0, LOG_INFO = 1, LOG_DEBUG = 2, LOG_LIBBPF = 3 };

extern int log_verbosity;	/* raised by each -v */
extern bool log_json;		/* --json: errors become JSON objects on stderr */

void log_print(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define pr_warn(...) log_print(LOG_WARN, __VA_ARGS__)
#define pr_info(...) log_print(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) log_print(LOG_DEBUG, __VA_ARGS__)

/* The one error printer: "fpbpf: MSG" or {"type":"error","message":MSG}. */
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* While a capture buffer is set, log_error keeps the first message there instead of
 * printing it: the control socket hands it back to the client that caused it. */
void log_capture(char *buf, size_t len);

void log_setup_libbpf(void);
void json_print_string(FILE *out, const char *s);

#endif

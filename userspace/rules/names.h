/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef FPBPF_NAMES_H
#define FPBPF_NAMES_H

#include <stddef.h>

/* "EIO" or "5" -> 5; -1 when unknown. */
int errno_from_name(const char *s);
const char *errno_name(int err);
/* "SIGUSR1", "USR1" or "10" -> 10; -1 when unknown. */
int signal_from_name(const char *s);
const char *signal_name(int sig);

/* A flag constant ("O_CREAT", "O_CREAT|O_TRUNC", "0x40") for argument filters; returns
 * 0 and the value, or -1 naming the unknown part in bad (at most badlen bytes). */
int flags_from_names(const char *s, long long *out, char *bad, size_t badlen);

/* Edit distance, for "did you mean" suggestions. */
size_t edit_distance(const char *a, const char *b);

#endif

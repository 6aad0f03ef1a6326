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

/* Edit distance, for "did you mean" suggestions. */
size_t edit_distance(const char *a, const char *b);

#endif

/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The client's side of the control socket: find a session, send a request line, read
 * its reply line. Used by `fpbpf set/off/status/wait/reload`. */
#ifndef FPBPF_CTL_CLIENT_H
#define FPBPF_CTL_CLIENT_H

#include <stddef.h>

#define CTL_REPLY_MAX (8u << 20)

/* Connects to session NAME, or to the only one running when name is NULL. Returns the
 * socket, or -ENOENT (no such session), -ENOTUNIQ (several run: err names them), -EINVAL
 * (a bad name) or another -errno, with err set. */
int ctl_connect(const char *name, char *err, size_t errlen);
/* Sends line and reads one reply line into *reply (malloc'd, NUL-terminated, no newline).
 * timeout_ms < 0 waits forever. Returns 0 or -errno (-ETIMEDOUT, -ECONNRESET, -EMSGSIZE). */
int ctl_request(int fd, const char *line, char **reply, int timeout_ms);

#endif

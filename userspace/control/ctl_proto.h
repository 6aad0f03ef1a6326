/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The control protocol both sides share: where sockets live, names, sizes
 * (docs/control.md). One request per line; one JSON object per reply line. */
#ifndef FPBPF_CTL_PROTO_H
#define FPBPF_CTL_PROTO_H

#include <stdbool.h>
#include <stddef.h>

#define CTL_DIR "/run/fpbpf"
#define CTL_NAME_LEN 48
#define CTL_LINE_MAX 4096

/* Checks a session name: letters, digits, '.', '_', '-'; err says why not. */
bool ctl_name_ok(const char *name, char *err, size_t errlen);
/* CTL_DIR/NAME.sock into out; false when it does not fit. */
bool ctl_sock_path(const char *name, char *out, size_t len);

#endif

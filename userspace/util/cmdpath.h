/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef FPBPF_CMDPATH_H
#define FPBPF_CMDPATH_H

/* The file exec would run for cmd: itself when it has a '/', else the first executable
 * in $PATH; its real path (malloc'd), or NULL with errno set. */
char *cmdpath_find(const char *cmd);

#endif

/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef FPBPF_READFILE_H
#define FPBPF_READFILE_H

/* The whole file ("-" is stdin) as a NUL-terminated string to free, or NULL with errno. */
char *read_whole_file(const char *path);

#endif

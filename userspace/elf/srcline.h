/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef FPBPF_SRCLINE_H
#define FPBPF_SRCLINE_H

#include <stddef.h>
#include <stdint.h>

/* "file.c:LINE" of address addr in file, from its debug info (binutils' addr2line, run
 * without a shell). 0, or -1 when there is none (no debug info, no addr2line). */
int srcline(const char *file, uint64_t addr, char *out, size_t len);

#endif

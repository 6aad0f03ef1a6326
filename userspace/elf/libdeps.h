/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The shared libraries a program will load, found before it runs, so `fpbpf run` can
 * attach to failpoints in them before the program's first instruction. */
#ifndef FPBPF_LIBDEPS_H
#define FPBPF_LIBDEPS_H

/* Calls fn for each library the dynamic loader resolves for exe (as ldd does, with the
 * caller's environment). Returns 0, or -1 when exe is static or the loader fails;
 * that is not an error for callers, who then search only exe. */
int libdeps_each(const char *exe, void (*fn)(const char *path, void *arg), void *arg);

#endif

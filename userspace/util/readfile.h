/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Rule files as text: refused, never half-read, when they are not text fpbpf can use. */
#ifndef FPBPF_READFILE_H
#define FPBPF_READFILE_H

#include <stdbool.h>
#include <stddef.h>

#define TEXT_FILE_MAX (1u << 20)

struct text_file {
	char *text;	/* NUL-terminated; holds no other NUL */
	size_t len;
	bool once;	/* a pipe or stdin: its content cannot be read again */
};

/* Reads path ("-" is stdin): a regular file, or a pipe when pipe_ok, at most max bytes,
 * with no NUL byte in it. A directory, device or socket is refused without reading it.
 * Returns 0, or -1 with one line in err that names the file (and line:col of a NUL). */
int text_file_read(const char *path, bool pipe_ok, size_t max, struct text_file *out, char *err,
		   size_t errlen);
void text_file_free(struct text_file *t);

#endif

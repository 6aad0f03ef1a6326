// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "util/readfile.h"

static const char *kind_of(mode_t m)
{
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISCHR(m) || S_ISBLK(m))
		return "a device";
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISFIFO(m))
		return "a pipe";
	return "not a regular file";
}

/* stat first: opening a FIFO nobody writes would block, and a device may never end. */
static int open_text(const char *path, bool pipe_ok, bool *once, char *err, size_t errlen)
{
	struct stat st;
	int fd;

	if (!strcmp(path, "-") && pipe_ok) {
		*once = true;
		return dup(STDIN_FILENO);
	}
	if (stat(path, &st)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode) && !(pipe_ok && S_ISFIFO(st.st_mode))) {
		snprintf(err, errlen, "%s: %s, expected a rule file (a regular file%s)", path,
			 kind_of(st.st_mode), pipe_ok ? " or a pipe" : "");
		return -1;
	}
	*once = S_ISFIFO(st.st_mode);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
	return fd;
}

static int read_all(int fd, const char *path, size_t max, struct text_file *out, char *err, size_t errlen)
{
	size_t cap = 0;

	for (;;) {
		ssize_t n;

		if (out->len + 4096 + 1 > cap) {
			char *grown;

			cap = cap ? cap * 2 : 8192;
			grown = realloc(out->text, cap);
			if (!grown) {
				snprintf(err, errlen, "%s: out of memory", path);
				return -1;
			}
			out->text = grown;
		}
		n = read(fd, out->text + out->len, 4096);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			return -1;
		}
		if (n == 0)
			break;
		out->len += (size_t)n;
		if (out->len > max) {
			snprintf(err, errlen, "%s: larger than %zu bytes, expected a rule file", path, max);
			return -1;
		}
	}
	out->text[out->len] = 0;
	return 0;
}

/* A NUL would silently end the text for every string function after us. */
static int check_nul(const struct text_file *t, const char *path, char *err, size_t errlen)
{
	const char *nul = memchr(t->text, 0, t->len);
	int line = 1;
	const char *bol = t->text;

	if (!nul)
		return 0;
	for (const char *p = t->text; p < nul; p++)
		if (*p == '\n') {
			line++;
			bol = p + 1;
		}
	snprintf(err, errlen, "%s:%d:%d: NUL byte, expected text", path, line, (int)(nul - bol) + 1);
	return -1;
}

int text_file_read(const char *path, bool pipe_ok, size_t max, struct text_file *out, char *err,
		   size_t errlen)
{
	int fd, ret;

	memset(out, 0, sizeof(*out));
	fd = open_text(path, pipe_ok, &out->once, err, errlen);
	if (fd < 0)
		return -1;
	ret = read_all(fd, path, max, out, err, errlen);
	close(fd);
	if (!ret)
		ret = check_nul(out, path, err, errlen);
	if (ret)
		text_file_free(out);
	return ret;
}

void text_file_free(struct text_file *t)
{
	free(t->text);
	t->text = NULL;
	t->len = 0;
}

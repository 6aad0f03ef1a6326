// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include "control/ctl_client.h"
#include "control/ctl_proto.h"

#define MAX_LISTED 16

static int connect_name(const char *name)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd, err;

	if (!ctl_sock_path(name, addr.sun_path, sizeof(addr.sun_path)))
		return -ENAMETOOLONG;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr))) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

/* Live sessions in CTL_DIR; sockets nobody listens on were left by dead controllers. */
static int live_sessions(char names[][CTL_NAME_LEN], int max)
{
	DIR *d = opendir(CTL_DIR);
	struct dirent *de;
	int n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d)) && n < max) {
		size_t len = strlen(de->d_name);
		char name[CTL_NAME_LEN];
		int fd;

		if (len < 6 || len - 5 >= CTL_NAME_LEN || strcmp(de->d_name + len - 5, ".sock"))
			continue;
		snprintf(name, sizeof(name), "%.*s", (int)(len - 5), de->d_name);
		fd = connect_name(name);
		if (fd < 0)
			continue;
		close(fd);
		snprintf(names[n++], CTL_NAME_LEN, "%s", name);
	}
	closedir(d);
	return n;
}

static int only_session(char *name, char *err, size_t errlen)
{
	char names[MAX_LISTED][CTL_NAME_LEN], list[MAX_LISTED * (CTL_NAME_LEN + 2)] = "";
	int n = live_sessions(names, MAX_LISTED);
	size_t used = 0;

	if (n == 0) {
		snprintf(err, errlen, "no fpbpf session is running (start one with 'fpbpf run' or 'fpbpf attach'; sockets live in %s)", CTL_DIR);
		return -ENOENT;
	}
	if (n > 1) {
		for (int i = 0; i < n; i++)
			used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "", names[i]);
		snprintf(err, errlen, "%d%s sessions are running (%s): pick one with --session NAME", n,
			 n == MAX_LISTED ? " or more" : "", list);
		return -ENOTUNIQ;
	}
	snprintf(name, CTL_NAME_LEN, "%s", names[0]);
	return 0;
}

int ctl_connect(const char *name, char *err, size_t errlen)
{
	char found[CTL_NAME_LEN], path[128];
	int fd, ret;

	if (!name) {
		ret = only_session(found, err, errlen);
		if (ret)
			return ret;
		name = found;
	} else if (!ctl_name_ok(name, err, errlen)) {
		return -EINVAL;
	}
	fd = connect_name(name);
	if (fd == -ENOENT || fd == -ECONNREFUSED) {
		ctl_sock_path(name, path, sizeof(path));
		snprintf(err, errlen, "session '%s': %s: no such session is running", name, path);
		return -ENOENT;
	}
	if (fd < 0)
		snprintf(err, errlen, "session '%s': %s", name, strerror(-fd));
	return fd;
}

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int send_line(int fd, const char *line)
{
	size_t len = strlen(line);
	char *buf = malloc(len + 1);
	size_t off = 0;

	if (!buf)
		return -ENOMEM;
	memcpy(buf, line, len);
	buf[len++] = '\n';
	while (off < len) {
		ssize_t n = send(fd, buf + off, len - off, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			free(buf);
			return n ? -errno : -ECONNRESET;
		}
		off += (size_t)n;
	}
	free(buf);
	return 0;
}

/* Reads up to the first newline; bytes after it are never sent, one reply per request. */
static int read_line(int fd, char *buf, size_t cap, long long deadline)
{
	size_t got = 0;

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int wait = deadline ? (int)(deadline - mono_ms()) : -1;
		char *nl;
		ssize_t n;

		if (deadline && wait <= 0)
			return -ETIMEDOUT;
		if (poll(&pfd, 1, wait) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (!pfd.revents)
			continue;
		n = recv(fd, buf + got, cap - 1 - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n ? -errno : -ECONNRESET;
		nl = memchr(buf + got, '\n', (size_t)n);
		got += (size_t)n;
		if (nl) {
			*nl = 0;
			return 0;
		}
		if (got + 1 >= cap)
			return -EMSGSIZE;
	}
}

int ctl_request(int fd, const char *line, char **reply, int timeout_ms)
{
	long long deadline = timeout_ms >= 0 ? mono_ms() + timeout_ms : 0;
	char *buf = malloc(CTL_REPLY_MAX);
	int ret;

	*reply = NULL;
	if (!buf)
		return -ENOMEM;
	ret = send_line(fd, line);
	if (!ret)
		ret = read_line(fd, buf, CTL_REPLY_MAX, deadline);
	if (ret) {
		free(buf);
		return ret;
	}
	*reply = buf;
	return 0;
}

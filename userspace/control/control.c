// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include "control/control.h"
#include "util/log.h"

struct ctl_server {
	int listen_fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct ctl_client *clients[CTL_MAX_CLIENTS];
};

bool ctl_name_ok(const char *name)
{
	size_t len = strlen(name);

	if (!len || len >= CTL_NAME_LEN || name[0] == '.' ||
	    strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != len) {
		log_error("--session: bad name '%s', expected 1-%d letters, digits, '.', '_' or '-' (not starting with '.')",
			  name, CTL_NAME_LEN - 1);
		return false;
	}
	return true;
}

static int sock_path(const char *name, struct sockaddr_un *addr)
{
	memset(addr, 0, sizeof(*addr));
	addr->sun_family = AF_UNIX;
	return snprintf(addr->sun_path, sizeof(addr->sun_path), "%s/%s.sock", CTL_DIR, name) <
	       (int)sizeof(addr->sun_path) ? 0 : -1;
}

static int connect_path(const struct sockaddr_un *addr)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	if (connect(fd, (const struct sockaddr *)addr, sizeof(*addr))) {
		int err = errno;

		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

/* The directory is root's alone: anyone who can reach a socket can inject faults. */
static int make_dir(void)
{
	struct stat st;

	if (mkdir(CTL_DIR, 0700) && errno != EEXIST) {
		log_error("%s: %s (the control socket lives there; run as root)", CTL_DIR, strerror(errno));
		return -1;
	}
	if (lstat(CTL_DIR, &st) || !S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077)) {
		log_error("%s must be a directory owned by uid %u with mode 0700; remove it and retry",
			  CTL_DIR, geteuid());
		return -1;
	}
	return 0;
}

int ctl_server_open(struct ctl_server **out, const char *name)
{
	struct ctl_server *srv;
	struct sockaddr_un addr;
	mode_t old_mask;
	int fd, err;

	*out = NULL;
	if (sock_path(name, &addr)) {
		log_error("--session: name '%s' is too long", name);
		return -1;
	}
	if (make_dir())
		return -1;
	fd = connect_path(&addr);
	if (fd >= 0) {
		close(fd);
		log_error("session '%s' is already running (%s); pick another name with --session", name, addr.sun_path);
		return -1;
	}
	unlink(addr.sun_path);	/* left by a controller that died */
	srv = calloc(1, sizeof(*srv));
	if (!srv)
		return -1;
	srv->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (srv->listen_fd < 0) {
		log_error("control socket: %s", strerror(errno));
		free(srv);
		return -1;
	}
	old_mask = umask(0177);
	err = bind(srv->listen_fd, (struct sockaddr *)&addr, sizeof(addr));
	umask(old_mask);
	if (err || listen(srv->listen_fd, 16)) {
		log_error("control socket %s: %s", addr.sun_path, strerror(errno));
		close(srv->listen_fd);
		free(srv);
		return -1;
	}
	snprintf(srv->path, sizeof(srv->path), "%s", addr.sun_path);
	*out = srv;
	return 0;
}

const char *ctl_server_path(const struct ctl_server *srv)
{
	return srv ? srv->path : "";
}

int ctl_server_pollfds(const struct ctl_server *srv, struct pollfd *pfds, int max)
{
	int n = 0;

	if (!srv || max < 1)
		return 0;
	pfds[n++] = (struct pollfd){ .fd = srv->listen_fd, .events = POLLIN };
	for (int i = 0; i < CTL_MAX_CLIENTS && n < max; i++)
		if (srv->clients[i])
			pfds[n++] = (struct pollfd){ .fd = srv->clients[i]->fd, .events = POLLIN };
	return n;
}

static void drop_client(struct ctl_server *srv, int i)
{
	close(srv->clients[i]->fd);
	free(srv->clients[i]->data);
	free(srv->clients[i]);
	srv->clients[i] = NULL;
}

static void send_all(int fd, const char *s, size_t len)
{
	while (len) {
		ssize_t n = send(fd, s, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;	/* the client went away; its slot is freed on the next read */
		s += n;
		len -= (size_t)n;
	}
}

void ctl_reply(struct ctl_client *c, const char *json)
{
	send_all(c->fd, json, strlen(json));
	send_all(c->fd, "\n", 1);
	c->deferred = false;
	free(c->data);
	c->data = NULL;
}

static void refuse(int fd, const char *why)
{
	char line[128];

	snprintf(line, sizeof(line), "{\"v\":1,\"ok\":false,\"error\":\"%s\"}\n", why);
	send_all(fd, line, strlen(line));
	close(fd);
}

static void accept_clients(struct ctl_server *srv)
{
	for (;;) {
		struct ucred cred;
		socklen_t len = sizeof(cred);
		int fd = accept4(srv->listen_fd, NULL, NULL, SOCK_CLOEXEC), slot = -1;

		if (fd < 0)
			return;
		/* The socket's mode already keeps others out; this survives a lax umask too. */
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) ||
		    (cred.uid != 0 && cred.uid != geteuid())) {
			refuse(fd, "permission denied: root only");
			continue;
		}
		for (int i = 0; i < CTL_MAX_CLIENTS; i++)
			if (!srv->clients[i]) {
				slot = i;
				break;
			}
		if (slot < 0 || !(srv->clients[slot] = calloc(1, sizeof(struct ctl_client)))) {
			refuse(fd, "too many control clients");
			continue;
		}
		srv->clients[slot]->fd = fd;
	}
}

/* Handles the complete lines in the client's buffer; returns -1 to drop the client. */
static int client_lines(struct ctl_client *c, ctl_line_fn fn, void *ctx)
{
	char *nl;

	while (!c->deferred && (nl = memchr(c->buf, '\n', c->len))) {
		size_t used = (size_t)(nl - c->buf) + 1;

		*nl = 0;
		if (nl > c->buf && nl[-1] == '\r')
			nl[-1] = 0;
		fn(ctx, c, c->buf);
		memmove(c->buf, c->buf + used, c->len - used);
		c->len -= used;
	}
	if (c->len == sizeof(c->buf)) {
		ctl_reply(c, "{\"v\":1,\"ok\":false,\"error\":\"request line too long\"}");
		return -1;
	}
	return 0;
}

void ctl_server_service(struct ctl_server *srv, const struct pollfd *pfds, int n,
			ctl_line_fn fn, void *ctx)
{
	if (!srv)
		return;
	for (int k = 0; k < n; k++) {
		if (!pfds[k].revents)
			continue;
		if (pfds[k].fd == srv->listen_fd) {
			accept_clients(srv);
			continue;
		}
		for (int i = 0; i < CTL_MAX_CLIENTS; i++) {
			struct ctl_client *c = srv->clients[i];
			ssize_t got;

			if (!c || c->fd != pfds[k].fd)
				continue;
			got = read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len);
			if (got <= 0 && !(got < 0 && (errno == EINTR || errno == EAGAIN))) {
				drop_client(srv, i);
				break;
			}
			if (got > 0)
				c->len += (size_t)got;
			if (client_lines(c, fn, ctx))
				drop_client(srv, i);
			break;
		}
	}
}

void ctl_server_each_deferred(struct ctl_server *srv, void (*fn)(void *ctx, struct ctl_client *c),
			      void *ctx)
{
	for (int i = 0; srv && i < CTL_MAX_CLIENTS; i++)
		if (srv->clients[i] && srv->clients[i]->deferred)
			fn(ctx, srv->clients[i]);
}

void ctl_server_close(struct ctl_server *srv)
{
	if (!srv)
		return;
	for (int i = 0; i < CTL_MAX_CLIENTS; i++)
		if (srv->clients[i])
			drop_client(srv, i);
	close(srv->listen_fd);
	unlink(srv->path);
	free(srv);
}

/* Live sessions in CTL_DIR; sockets nobody listens on are left by dead controllers. */
static int live_sessions(char names[][CTL_NAME_LEN], int max)
{
	DIR *d = opendir(CTL_DIR);
	struct dirent *de;
	int n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d)) && n < max) {
		size_t len = strlen(de->d_name);
		struct sockaddr_un addr;
		char name[CTL_NAME_LEN];
		int fd;

		if (len < 6 || len - 5 >= CTL_NAME_LEN || strcmp(de->d_name + len - 5, ".sock"))
			continue;
		snprintf(name, sizeof(name), "%.*s", (int)(len - 5), de->d_name);
		if (sock_path(name, &addr))
			continue;
		fd = connect_path(&addr);
		if (fd < 0)
			continue;
		close(fd);
		snprintf(names[n++], CTL_NAME_LEN, "%s", name);
	}
	closedir(d);
	return n;
}

int ctl_connect(const char *name, int *exit_code)
{
	char names[16][CTL_NAME_LEN], list[16 * (CTL_NAME_LEN + 2)] = "";
	struct sockaddr_un addr;
	size_t used = 0;
	int fd, n;

	*exit_code = 1;
	if (!name) {
		n = live_sessions(names, 16);
		if (n == 0) {
			log_error("no fpbpf session is running (start one with 'fpbpf run' or 'fpbpf attach'; sockets live in %s)", CTL_DIR);
			return -1;
		}
		if (n > 1) {
			for (int i = 0; i < n; i++)
				used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "", names[i]);
			log_error("%d sessions are running (%s): pick one with --session NAME", n, list);
			*exit_code = 2;
			return -1;
		}
		name = names[0];
	} else if (!ctl_name_ok(name)) {
		*exit_code = 2;
		return -1;
	}
	if (sock_path(name, &addr)) {
		log_error("--session: name '%s' is too long", name);
		*exit_code = 2;
		return -1;
	}
	fd = connect_path(&addr);
	if (fd < 0) {
		log_error("session '%s': %s: %s", name, addr.sun_path,
			  errno == ENOENT || errno == ECONNREFUSED ? "no such session is running" : strerror(errno));
		return -1;
	}
	return fd;
}

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int ctl_request(int fd, const char *line, char *reply, size_t len, int timeout_ms)
{
	long long deadline = timeout_ms >= 0 ? mono_ms() + timeout_ms : 0;
	size_t got = 0;

	send_all(fd, line, strlen(line));
	send_all(fd, "\n", 1);
	while (got + 1 < len) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int wait = deadline ? (int)(deadline - mono_ms()) : -1;
		ssize_t n;

		if (deadline && wait <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (poll(&pfd, 1, wait) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		n = read(fd, reply + got, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			errno = n ? errno : ECONNRESET;
			return -1;
		}
		if (reply[got] == '\n') {
			reply[got] = 0;
			return 0;
		}
		got++;
	}
	errno = EMSGSIZE;
	return -1;
}

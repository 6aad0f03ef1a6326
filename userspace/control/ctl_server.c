// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
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
#include "control/ctl_proto.h"
#include "control/ctl_server.h"

struct ctl_client {
	int fd;
	bool eof;		/* the client sent all it will send */
	bool skipping;		/* past an overlong line: input is dropped up to its newline */
	bool dead;		/* hung up or over a limit: dropped at the next service */
	bool deferred;
	void *data;
	long long last_ms;
	long long stalled_ms;	/* since when its unread replies are past CTL_OUT_PAUSE; 0: not */
	size_t in_len;
	char in[CTL_LINE_MAX];
	char *out;
	size_t out_len, out_off;
};

struct ctl_server {
	int listen_fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	ctl_line_fn fn;
	void *ctx;
	struct ctl_client *clients[CTL_MAX_CLIENTS];
};

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int connect_path(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The directory is root's alone: anyone who can reach a socket can inject faults. */
static int make_dir(char *err, size_t errlen)
{
	struct stat st;

	if (mkdir(CTL_DIR, 0700) && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s (the control socket lives there; run as root)", CTL_DIR, strerror(errno));
		return -1;
	}
	if (lstat(CTL_DIR, &st) || !S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077)) {
		snprintf(err, errlen, "%s must be a directory owned by uid %u with mode 0700; remove it and retry",
			 CTL_DIR, geteuid());
		return -1;
	}
	return 0;
}

static int listen_on(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	mode_t old_mask;
	int fd, ret;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		snprintf(err, errlen, "control socket: %s", strerror(errno));
		return -1;
	}
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	old_mask = umask(0177);
	ret = bind(fd, (struct sockaddr *)&addr, sizeof(addr));
	umask(old_mask);
	if (ret || listen(fd, 16)) {
		snprintf(err, errlen, "control socket %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int ctl_server_open(struct ctl_server **out, const char *name, ctl_line_fn fn, void *ctx,
		    char *err, size_t errlen)
{
	struct ctl_server *srv;
	char path[sizeof(srv->path)];
	int fd;

	*out = NULL;
	if (!ctl_sock_path(name, path, sizeof(path))) {
		snprintf(err, errlen, "--session: name '%s' is too long", name);
		return -1;
	}
	if (make_dir(err, errlen))
		return -1;
	fd = connect_path(path);
	if (fd >= 0) {
		close(fd);
		snprintf(err, errlen, "session '%s' is already running (%s); pick another name with --session", name, path);
		return -1;
	}
	unlink(path);	/* left by a controller that died */
	srv = calloc(1, sizeof(*srv));
	if (!srv) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	srv->listen_fd = listen_on(path, err, errlen);
	if (srv->listen_fd < 0) {
		free(srv);
		return -1;
	}
	snprintf(srv->path, sizeof(srv->path), "%s", path);
	srv->fn = fn;
	srv->ctx = ctx;
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
	for (int i = 0; i < CTL_MAX_CLIENTS && n < max; i++) {
		const struct ctl_client *c = srv->clients[i];
		short ev;

		if (!c || c->dead)
			continue;
		/* A client that does not read its replies is not read either: it stalls alone. */
		ev = (short)((c->eof || c->out_len - c->out_off > CTL_OUT_PAUSE ? 0 : POLLIN) |
			     (c->out_len > c->out_off ? POLLOUT : 0));
		/* A waiting client that said all it will say is watched for hanging up. */
		if (ev || c->deferred)
			pfds[n++] = (struct pollfd){ .fd = c->fd, .events = ev };
	}
	return n;
}

static void drop_client(struct ctl_server *srv, int i)
{
	struct ctl_client *c = srv->clients[i];

	close(c->fd);
	free(c->data);
	free(c->out);
	free(c);
	srv->clients[i] = NULL;
}

static void flush_out(struct ctl_client *c)
{
	while (!c->dead && c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			c->dead = true;
			return;
		}
		c->out_off += (size_t)n;
	}
	c->out_len = c->out_off = 0;
}

/* Appends to the client's output: a client that does not read is dropped, never waited for. */
static void queue_out(struct ctl_client *c, const char *s, size_t len)
{
	char *grown;

	if (c->dead)
		return;
	if (c->out_len - c->out_off + len > CTL_OUT_MAX) {
		c->dead = true;
		return;
	}
	if (c->out_off) {
		memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
		c->out_len -= c->out_off;
		c->out_off = 0;
	}
	grown = realloc(c->out, c->out_len + len);
	if (!grown) {
		c->dead = true;
		return;
	}
	c->out = grown;
	memcpy(c->out + c->out_len, s, len);
	c->out_len += len;
}

void ctl_reply(struct ctl_client *c, const char *json)
{
	queue_out(c, json, strlen(json));
	queue_out(c, "\n", 1);
	flush_out(c);
	c->deferred = false;
	free(c->data);
	c->data = NULL;
}

void ctl_defer(struct ctl_client *c, void *data)
{
	free(c->data);
	c->data = data;
	c->deferred = true;
}

void *ctl_deferred_data(const struct ctl_client *c)
{
	return c->data;
}

/* Requests are answered in the order sent; a deferred one holds back those after it.
 * A few per round, so that a client sending many cannot starve the others. */
static void answer_lines(struct ctl_server *srv, struct ctl_client *c)
{
	int budget = CTL_LINES_PER_ROUND;
	char *nl;

	while (budget-- > 0 && !c->deferred && !c->dead && c->out_len - c->out_off <= CTL_OUT_PAUSE &&
	       (nl = memchr(c->in, '\n', c->in_len))) {
		size_t used = (size_t)(nl - c->in) + 1, len = used - 1;

		if (len && c->in[len - 1] == '\r')
			len--;	/* CRLF, as telnet-like clients send */
		c->in[len] = 0;
		if (c->skipping)
			c->skipping = false;	/* the rest of an overlong line */
		else if (memchr(c->in, 0, len))
			ctl_reply(c, "{\"v\":1,\"ok\":false,\"error\":\"request line holds a NUL byte\"}");
		else
			srv->fn(srv->ctx, c, c->in);
		memmove(c->in, c->in + used, c->in_len - used);
		c->in_len -= used;
	}
	if (c->in_len == sizeof(c->in)) {
		/* Answered once; what follows up to its newline is dropped, not read as requests. */
		if (!c->skipping)
			ctl_reply(c, "{\"v\":1,\"ok\":false,\"error\":\"request line too long\"}");
		c->skipping = true;
		c->in_len = 0;
	}
}

static void read_client(struct ctl_client *c)
{
	while (!c->eof && c->in_len < sizeof(c->in) && c->out_len - c->out_off <= CTL_OUT_PAUSE) {
		ssize_t got = recv(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len, MSG_DONTWAIT);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (got <= 0) {
			c->eof = true;
			return;
		}
		c->in_len += (size_t)got;
		c->last_ms = mono_ms();
	}
}

static void refuse(int fd, const char *why)
{
	char line[160];
	int len = snprintf(line, sizeof(line), "{\"v\":1,\"ok\":false,\"error\":\"%s\"}\n", why);

	/* A client that is gone or does not read gets nothing more. */
	(void)!send(fd, line, (size_t)len, MSG_NOSIGNAL | MSG_DONTWAIT);
	close(fd);
}

/* The longest-idle client that waits for nothing gives way to a new one. */
static int make_room(struct ctl_server *srv)
{
	int victim = -1;

	for (int i = 0; i < CTL_MAX_CLIENTS; i++) {
		struct ctl_client *c = srv->clients[i];

		if (!c)
			return i;
		if (!c->deferred && (victim < 0 || c->last_ms < srv->clients[victim]->last_ms))
			victim = i;
	}
	if (victim >= 0) {
		refuse(srv->clients[victim]->fd, "closed while idle to make room for another client");
		srv->clients[victim]->fd = -1;
		drop_client(srv, victim);
	}
	return victim;
}

static bool peer_allowed(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	/* The socket's mode already keeps others out; this survives a lax umask too. */
	return !getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) && (cred.uid == 0 || cred.uid == geteuid());
}

static void accept_clients(struct ctl_server *srv)
{
	for (;;) {
		int fd = accept4(srv->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK), slot;

		if (fd < 0)
			return;
		if (!peer_allowed(fd)) {
			refuse(fd, "permission denied: root only");
			continue;
		}
		slot = make_room(srv);
		if (slot < 0 || !(srv->clients[slot] = calloc(1, sizeof(struct ctl_client)))) {
			refuse(fd, "too many control clients waiting");
			continue;
		}
		srv->clients[slot]->fd = fd;
		srv->clients[slot]->last_ms = mono_ms();
	}
}

static struct ctl_client *client_of(struct ctl_server *srv, int fd)
{
	for (int i = 0; i < CTL_MAX_CLIENTS; i++)
		if (srv->clients[i] && srv->clients[i]->fd == fd)
			return srv->clients[i];
	return NULL;
}

/* Done with a client: gone, over a limit, stalled or idle too long, or said all and got all. */
static bool finished(struct ctl_client *c, long long now)
{
	bool quiet = !c->deferred && c->out_len == c->out_off;

	if (c->out_len - c->out_off <= CTL_OUT_PAUSE)
		c->stalled_ms = 0;
	else if (!c->stalled_ms)
		c->stalled_ms = now;
	return c->dead || (c->stalled_ms && now - c->stalled_ms > CTL_STALL_MS) ||
	       (quiet && c->eof && !memchr(c->in, '\n', c->in_len)) || (quiet && now - c->last_ms > CTL_IDLE_MS);
}

void ctl_server_service(struct ctl_server *srv, const struct pollfd *pfds, int n)
{
	long long now = mono_ms();

	if (!srv)
		return;
	/* Clients first: a request already sent makes its client busy, not idle, before a
	 * new one may take the place of the one idle longest. */
	for (int k = 0; k < n; k++) {
		struct ctl_client *c = pfds[k].revents && pfds[k].fd != srv->listen_fd ? client_of(srv, pfds[k].fd) : NULL;

		if (!c)
			continue;
		if (pfds[k].revents & POLLOUT)
			flush_out(c);
		if (pfds[k].revents & (POLLIN | POLLHUP | POLLERR))
			read_client(c);
		/* Gone for good (not half-closed): nobody is left to answer. */
		if (pfds[k].revents & (POLLHUP | POLLERR))
			c->dead = c->dead || c->deferred || c->eof;
	}
	for (int i = 0; i < CTL_MAX_CLIENTS; i++)
		if (srv->clients[i])
			answer_lines(srv, srv->clients[i]);
	for (int k = 0; k < n; k++)
		if (pfds[k].revents && pfds[k].fd == srv->listen_fd)
			accept_clients(srv);
	for (int i = 0; i < CTL_MAX_CLIENTS; i++) {
		if (!srv->clients[i])
			continue;
		answer_lines(srv, srv->clients[i]);
		if (finished(srv->clients[i], now))
			drop_client(srv, i);
	}
}

bool ctl_server_pending(const struct ctl_server *srv)
{
	for (int i = 0; srv && i < CTL_MAX_CLIENTS; i++) {
		const struct ctl_client *c = srv->clients[i];

		if (c && !c->dead && !c->deferred && c->out_len - c->out_off <= CTL_OUT_PAUSE &&
		    memchr(c->in, '\n', c->in_len))
			return true;
	}
	return false;
}

void ctl_server_each_deferred(struct ctl_server *srv, void (*fn)(void *ctx, struct ctl_client *c),
			      void *ctx)
{
	for (int i = 0; srv && i < CTL_MAX_CLIENTS; i++) {
		struct ctl_client *c = srv->clients[i];

		if (!c || !c->deferred)
			continue;
		fn(ctx, c);
		answer_lines(srv, c);
	}
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

/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The control channel of a running session: a root-only unix socket, one request per
 * line, one JSON object per reply line (protocol in docs/control.md). */
#ifndef FPBPF_CONTROL_H
#define FPBPF_CONTROL_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>

#define CTL_DIR "/run/fpbpf"
#define CTL_NAME_LEN 48
#define CTL_LINE_MAX 4096
#define CTL_MAX_CLIENTS 32

struct ctl_client {
	int fd;
	size_t len;
	char buf[CTL_LINE_MAX];
	bool deferred;	/* the reply comes later (wait); data holds what it waits for */
	void *data;	/* freed with the client */
};

struct ctl_server;
typedef void (*ctl_line_fn)(void *ctx, struct ctl_client *c, char *line);

/* Checks a session name: letters, digits, '.', '_', '-'. Logs why not. */
bool ctl_name_ok(const char *name);
/* Listens on CTL_DIR/NAME.sock; refuses a name a live session holds, reuses a stale one. */
int ctl_server_open(struct ctl_server **out, const char *name);
const char *ctl_server_path(const struct ctl_server *srv);
int ctl_server_pollfds(const struct ctl_server *srv, struct pollfd *pfds, int max);
/* Accepts clients and calls fn for each complete line of a client not deferred. */
void ctl_server_service(struct ctl_server *srv, const struct pollfd *pfds, int n,
			ctl_line_fn fn, void *ctx);
/* Calls fn for every client whose reply is deferred. */
void ctl_server_each_deferred(struct ctl_server *srv, void (*fn)(void *ctx, struct ctl_client *c),
			      void *ctx);
/* Sends one reply line (a JSON object) and ends any deferral. */
void ctl_reply(struct ctl_client *c, const char *json);
void ctl_server_close(struct ctl_server *srv);

/* Client side. Connects to NAME, or to the only running session when name is NULL.
 * Returns the socket, or -1 with the reason logged; *exit_code says how to exit. */
int ctl_connect(const char *name, int *exit_code);
/* Sends line and reads one reply line; timeout_ms < 0 waits forever. */
int ctl_request(int fd, const char *line, char *reply, size_t len, int timeout_ms);

#endif

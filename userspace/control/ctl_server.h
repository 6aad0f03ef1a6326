/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The session's side of the control socket: a root-only unix socket that no client can
 * block. Output is buffered per client: a client that leaves replies unread is read no
 * more, and dropped when it does not catch up in time or lets too much pile up; requests
 * sent together are answered in order, a few per round; idle clients make room. */
#ifndef FPBPF_CTL_SERVER_H
#define FPBPF_CTL_SERVER_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>

#define CTL_MAX_CLIENTS 64
#define CTL_OUT_MAX (4u << 20)		/* unread replies a client may leave */
#define CTL_OUT_PAUSE (64u << 10)	/* past this, its requests wait until it reads */
#define CTL_STALL_MS 5000		/* a client that reads nothing of it for this long is dropped */
#define CTL_LINES_PER_ROUND 16		/* one client's requests answered per service round */
#define CTL_IDLE_MS (60 * 1000)		/* no request for this long: dropped */

struct ctl_server;
struct ctl_client;
/* One request line (NUL-terminated, no newline); the handler replies or defers. */
typedef void (*ctl_line_fn)(void *ctx, struct ctl_client *c, char *line);

/* Listens on CTL_DIR/NAME.sock; refuses a name a live session holds, reuses a stale one.
 * Returns 0, or -1 with err set. */
int ctl_server_open(struct ctl_server **out, const char *name, ctl_line_fn fn, void *ctx,
		    char *err, size_t errlen);
const char *ctl_server_path(const struct ctl_server *srv);
int ctl_server_pollfds(const struct ctl_server *srv, struct pollfd *pfds, int max);
/* Accepts, reads, writes and answers whatever the poll found ready. */
void ctl_server_service(struct ctl_server *srv, const struct pollfd *pfds, int n);
/* Whether requests wait to be answered: the next poll should not sleep. */
bool ctl_server_pending(const struct ctl_server *srv);
/* Calls fn for every client whose reply is deferred; those it answers go on with the
 * requests they sent after it. */
void ctl_server_each_deferred(struct ctl_server *srv, void (*fn)(void *ctx, struct ctl_client *c),
			      void *ctx);
void ctl_server_close(struct ctl_server *srv);

/* Queues one reply line (a JSON object) and ends any deferral. */
void ctl_reply(struct ctl_client *c, const char *json);
/* The reply comes later; data (freed with the client or the reply) says what it waits for. */
void ctl_defer(struct ctl_client *c, void *data);
void *ctl_deferred_data(const struct ctl_client *c);

#endif

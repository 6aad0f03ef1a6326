// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include "explore/explore_workers.h"
#include "util/log.h"

#define MAX_WORKERS 64

struct worker {
	pid_t pid;
	int sock;
	bool busy;
	bool ready;		/* its session loaded, its signal handlers in */
	bool signaled;		/* told to stop once: a second signal would make it leave at once */
};

struct xworkers {
	struct worker v[MAX_WORKERS];
	int n, nsites;
	const volatile sig_atomic_t *stop;	/* set by explore's signal handler */
};

struct reply_hdr {
	int run, err, expect;
	struct run_end end;
	uint32_t len;		/* stderr bytes after the counts */
};

static int write_full(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -EPIPE;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* 0, -EINTR when a signal came before any byte, -EPIPE at EOF. */
static int read_full(int fd, void *buf, size_t len, bool interruptible)
{
	char *p = buf;
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, p + got, len - got);

		if (n < 0 && errno == EINTR) {
			if (interruptible && !got)
				return -EINTR;
			continue;
		}
		if (n <= 0)
			return -EPIPE;
		got += (size_t)n;
	}
	return 0;
}

static int send_result(int sock, int run, const struct xrun_out *o, int nsites)
{
	struct reply_hdr h = { .run = run, .err = o->err, .expect = o->expect, .end = o->end, .len = (uint32_t)o->len };
	size_t counts = (size_t)nsites * sizeof(uint64_t);

	if (write_full(sock, &h, sizeof(h)) || write_full(sock, o->counts, counts) ||
	    write_full(sock, o->injected, counts) || write_full(sock, o->text, o->len))
		return -EPIPE;
	return 0;
}

/* The first reply says whether the session loaded; a worker whose explore is gone (EOF,
 * EPIPE) tears its session down and leaves. */
static void worker_main(int sock, const struct xs_sites *sites, const struct explore_opts *o,
			const struct rule *rules, int nrules)
{
	uint64_t *zero = calloc((size_t)sites->n + 1, sizeof(uint64_t));
	struct xrun_out out = { .expect = -1, .text = "", .counts = zero, .injected = zero };
	struct xrunner *rn = NULL;
	struct xjob job;

	/* Until its session's handlers are in: explore signals only workers that said ready. */
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	out.err = zero ? xrunner__open(sites, o, rules, nrules, &rn) : -ENOMEM;
	if (!zero || send_result(sock, -2, &out, sites->n) || out.err) {
		xrunner__close(rn);
		_exit(out.err ? 1 : 0);
	}
	free(zero);
	while (!read_full(sock, &job, sizeof(job), false)) {
		xrunner__run(rn, job.step, job.nsteps, job.timeout_ms, job.expect_status, &out);
		if (send_result(sock, job.run, &out, sites->n) || out.end.interrupted)
			break;
	}
	xrunner__close(rn);
	_exit(0);
}

static int spawn(struct xworkers *w, int i, const struct xs_sites *sites, const struct explore_opts *o,
		 const struct rule *rules, int nrules)
{
	int sv[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return -errno;
	pid = fork();
	if (pid < 0) {
		close(sv[0]);
		close(sv[1]);
		return -errno;
	}
	if (pid == 0) {
		setpgid(0, 0);
		close(sv[0]);
		for (int k = 0; k < i; k++)
			close(w->v[k].sock);
		worker_main(sv[1], sites, o, rules, nrules);
	}
	close(sv[1]);
	w->v[i] = (struct worker){ .pid = pid, .sock = sv[0] };
	w->n = i + 1;
	return 0;
}

int xworkers__start(const struct xs_sites *sites, const struct explore_opts *o, const struct rule *rules,
		    int nrules, int n, const volatile sig_atomic_t *stop, struct xworkers **out)
{
	struct xworkers *w = calloc(1, sizeof(*w));
	int err = 0;

	*out = NULL;
	if (!w)
		return -ENOMEM;
	w->nsites = sites->n;
	w->stop = stop;
	for (int i = 0; i < n && i < MAX_WORKERS && !err; i++)
		err = spawn(w, i, sites, o, rules, nrules);
	/* Each loads its session (in parallel); each says how that went. */
	for (int i = 0; i < w->n && !err; i++) {
		struct xresult r;

		w->v[i].busy = true;
		do
			err = xworkers__collect(w, &r);
		while (err == -EINTR);
		if (!err)
			err = r.err;
		xresult_free(&r);
	}
	if (!err && *stop)
		err = -ECANCELED;
	if (err) {
		xworkers__stop(w);
		return err;
	}
	*out = w;
	return 0;
}

bool xworkers__idle(const struct xworkers *w)
{
	for (int i = 0; i < w->n; i++)
		if (!w->v[i].busy)
			return true;
	return false;
}

bool xworkers__busy(const struct xworkers *w)
{
	for (int i = 0; i < w->n; i++)
		if (w->v[i].busy)
			return true;
	return false;
}

int xworkers__submit(struct xworkers *w, const struct xjob *job)
{
	for (int i = 0; i < w->n; i++)
		if (!w->v[i].busy) {
			if (write_full(w->v[i].sock, job, sizeof(*job)))
				return -EPIPE;
			w->v[i].busy = true;
			return 0;
		}
	return -EBUSY;
}

/* Each ready worker that was not told yet, once. */
static void pass_stop(struct xworkers *w)
{
	for (int i = 0; i < w->n; i++)
		if (w->v[i].ready && !w->v[i].signaled) {
			kill(w->v[i].pid, SIGINT);
			w->v[i].signaled = true;
		}
}

static int read_result(struct xworkers *w, struct worker *k, struct xresult *res)
{
	struct reply_hdr h;
	size_t counts = (size_t)w->nsites * sizeof(uint64_t);
	int err = read_full(k->sock, &h, sizeof(h), true);

	if (err)
		return err;
	res->counts = calloc(1, counts + 8);
	res->injected = calloc(1, counts + 8);
	res->text = malloc((size_t)h.len + 1);
	if (!res->counts || !res->injected || !res->text)
		return -ENOMEM;
	if (read_full(k->sock, res->counts, counts, false) || read_full(k->sock, res->injected, counts, false) ||
	    read_full(k->sock, res->text, h.len, false))
		return -EPIPE;
	res->text[h.len] = 0;
	res->len = h.len;
	res->run = h.run;
	res->err = h.err;
	res->expect = h.expect;
	res->end = h.end;
	k->busy = false;
	k->ready = true;
	return 0;
}

int xworkers__collect(struct xworkers *w, struct xresult *res)
{
	struct pollfd pfd[MAX_WORKERS];

	memset(res, 0, sizeof(*res));
	for (int i = 0; i < w->n; i++)
		pfd[i] = (struct pollfd){ .fd = w->v[i].busy ? w->v[i].sock : -1, .events = POLLIN };
	if (*w->stop)
		pass_stop(w);
	if (poll(pfd, (nfds_t)w->n, -1) < 0) {
		if (*w->stop)
			pass_stop(w);
		return errno == EINTR ? -EINTR : -errno;
	}
	for (int i = 0; i < w->n; i++)
		if (pfd[i].revents) {
			int err = read_result(w, &w->v[i], res);

			if (err == -EPIPE)
				log_error("explore: worker %d ended unexpectedly", w->v[i].pid);
			if (*w->stop)
				pass_stop(w);
			return err;
		}
	return -EINTR;
}

void xresult_free(struct xresult *res)
{
	free(res->counts);
	free(res->injected);
	free(res->text);
	memset(res, 0, sizeof(*res));
}

void xworkers__stop(struct xworkers *w)
{
	if (!w)
		return;
	/* EOF ends each worker after the run it is in (a busy one is told to end it now, once);
	 * it tears its session down itself. */
	for (int i = 0; i < w->n; i++)
		if (w->v[i].busy && w->v[i].ready && !w->v[i].signaled) {
			kill(w->v[i].pid, SIGINT);
			w->v[i].signaled = true;
		}
	for (int i = 0; i < w->n; i++)
		close(w->v[i].sock);
	for (int i = 0; i < w->n; i++)
		while (waitpid(w->v[i].pid, NULL, 0) < 0 && errno == EINTR)
			;
	free(w);
}

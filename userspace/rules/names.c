// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include "rules/names.h"

struct name_num {
	const char *name;
	int num;
};

#define N(x) { #x, x }
static const struct name_num errnos[] = {
	N(EPERM), N(ENOENT), N(ESRCH), N(EINTR), N(EIO), N(ENXIO), N(E2BIG), N(ENOEXEC),
	N(EBADF), N(ECHILD), N(EAGAIN), N(ENOMEM), N(EACCES), N(EFAULT), N(EBUSY), N(EEXIST),
	N(EXDEV), N(ENODEV), N(ENOTDIR), N(EISDIR), N(EINVAL), N(ENFILE), N(EMFILE), N(ENOTTY),
	N(ETXTBSY), N(EFBIG), N(ENOSPC), N(ESPIPE), N(EROFS), N(EMLINK), N(EPIPE), N(EDOM),
	N(ERANGE), N(EDEADLK), N(ENAMETOOLONG), N(ENOLCK), N(ENOSYS), N(ENOTEMPTY), N(ELOOP),
	N(ENOMSG), N(EIDRM), N(ENODATA), N(ETIME), N(ENOLINK), N(EPROTO), N(EOVERFLOW),
	N(EILSEQ), N(EUSERS), N(ENOTSOCK), N(EDESTADDRREQ), N(EMSGSIZE), N(EPROTOTYPE),
	N(ENOPROTOOPT), N(EPROTONOSUPPORT), N(EOPNOTSUPP), N(EAFNOSUPPORT), N(EADDRINUSE),
	N(EADDRNOTAVAIL), N(ENETDOWN), N(ENETUNREACH), N(ENETRESET), N(ECONNABORTED),
	N(ECONNRESET), N(ENOBUFS), N(EISCONN), N(ENOTCONN), N(ETIMEDOUT), N(ECONNREFUSED),
	N(EHOSTDOWN), N(EHOSTUNREACH), N(EALREADY), N(EINPROGRESS), N(ESTALE), N(EDQUOT),
	N(ECANCELED), N(EOWNERDEAD), N(ENOTRECOVERABLE),
};
static const struct name_num signals[] = {
	N(SIGHUP), N(SIGINT), N(SIGQUIT), N(SIGILL), N(SIGTRAP), N(SIGABRT), N(SIGBUS),
	N(SIGFPE), N(SIGKILL), N(SIGUSR1), N(SIGSEGV), N(SIGUSR2), N(SIGPIPE), N(SIGALRM),
	N(SIGTERM), N(SIGCHLD), N(SIGCONT), N(SIGSTOP), N(SIGTSTP), N(SIGTTIN), N(SIGTTOU),
	N(SIGURG), N(SIGXCPU), N(SIGXFSZ), N(SIGVTALRM), N(SIGPROF), N(SIGWINCH), N(SIGIO),
	N(SIGPWR), N(SIGSYS),
};
#undef N

static int parse_small_uint(const char *s, int max)
{
	char *end;
	long v;

	if (!*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < 1 || v > max)
		return -1;
	return (int)v;
}

int errno_from_name(const char *s)
{
	for (size_t i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++)
		if (!strcmp(errnos[i].name, s))
			return errnos[i].num;
	return parse_small_uint(s, 4095);
}

const char *errno_name(int err)
{
	for (size_t i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++)
		if (errnos[i].num == err)
			return errnos[i].name;
	return NULL;
}

int signal_from_name(const char *s)
{
	const char *bare = strncasecmp(s, "SIG", 3) ? s : s + 3;

	for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
		if (!strcasecmp(signals[i].name + 3, bare))
			return signals[i].num;
	return parse_small_uint(s, 64);
}

const char *signal_name(int sig)
{
	for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
		if (signals[i].num == sig)
			return signals[i].name;
	return NULL;
}

/* The constants syscall filters are usually written with; numbers work for the rest. */
static const struct {
	const char *name;
	long long value;
} flag_names[] = {
	{ "O_RDONLY", O_RDONLY },     { "O_WRONLY", O_WRONLY },	    { "O_RDWR", O_RDWR },
	{ "O_CREAT", O_CREAT },	      { "O_EXCL", O_EXCL },	    { "O_NOCTTY", O_NOCTTY },
	{ "O_TRUNC", O_TRUNC },	      { "O_APPEND", O_APPEND },	    { "O_NONBLOCK", O_NONBLOCK },
	{ "O_DSYNC", O_DSYNC },	      { "O_SYNC", O_SYNC },	    { "O_DIRECT", O_DIRECT },
	{ "O_DIRECTORY", O_DIRECTORY }, { "O_NOFOLLOW", O_NOFOLLOW }, { "O_NOATIME", O_NOATIME },
	{ "O_CLOEXEC", O_CLOEXEC },   { "O_PATH", O_PATH },	    { "O_TMPFILE", O_TMPFILE },
	{ "AT_FDCWD", AT_FDCWD },     { "AF_UNIX", AF_UNIX },	    { "AF_INET", AF_INET },
	{ "AF_INET6", AF_INET6 },     { "SOCK_STREAM", SOCK_STREAM }, { "SOCK_DGRAM", SOCK_DGRAM },
	{ "PROT_READ", PROT_READ },   { "PROT_WRITE", PROT_WRITE }, { "PROT_EXEC", PROT_EXEC },
	{ "MAP_SHARED", MAP_SHARED }, { "MAP_PRIVATE", MAP_PRIVATE }, { "MAP_ANONYMOUS", MAP_ANONYMOUS },
};

int flags_from_names(const char *s, long long *out, char *bad, size_t badlen)
{
	char buf[128], *save = NULL, *part;

	if (strlen(s) >= sizeof(buf) || !*s) {
		snprintf(bad, badlen, "%s", s);
		return -1;
	}
	strcpy(buf, s);
	*out = 0;
	for (part = strtok_r(buf, "|", &save); part; part = strtok_r(NULL, "|", &save)) {
		char *end;
		long long v;
		size_t i;

		for (i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++)
			if (!strcmp(part, flag_names[i].name))
				break;
		if (i < sizeof(flag_names) / sizeof(flag_names[0])) {
			*out |= flag_names[i].value;
			continue;
		}
		errno = 0;
		v = strtoll(part, &end, 0);
		if (errno || end == part || *end) {
			snprintf(bad, badlen, "%s", part);
			return -1;
		}
		*out |= v;
	}
	return 0;
}

size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t *row, result;

	if (la > 256 || lb > 256)
		return (size_t)-1;
	row = calloc(lb + 1, sizeof(*row));
	if (!row)
		return (size_t)-1;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	result = row[lb];
	free(row);
	return result;
}

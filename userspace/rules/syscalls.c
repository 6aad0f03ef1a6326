// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rules/names.h"
#include "rules/syscalls.h"
#include "syscall_numbers.h"

#if defined(__x86_64__)
#define SYSCALL_PREFIX "__x64_sys_"
#elif defined(__aarch64__)
#define SYSCALL_PREFIX "__arm64_sys_"
#else
#error "fpbpf knows the syscall entry symbols of x86_64 and arm64 only"
#endif

/* Used when tracefs is not mounted; names follow the kernel's SYSCALL_DEFINE, as tracefs
 * shows them, and a leading '*' marks a user string. */
static const struct {
	const char *name;
	const char *args[SYS_MAX_ARGS];
} builtin[] = {
	{ "openat", { "dfd", "*filename", "flags", "mode" } },
	{ "open", { "*filename", "flags", "mode" } },
	{ "creat", { "*pathname", "mode" } },
	{ "read", { "fd", "buf", "count" } },
	{ "write", { "fd", "buf", "count" } },
	{ "pread64", { "fd", "buf", "count", "pos" } },
	{ "pwrite64", { "fd", "buf", "count", "pos" } },
	{ "close", { "fd" } },
	{ "fsync", { "fd" } },
	{ "fdatasync", { "fd" } },
	{ "ftruncate", { "fd", "length" } },
	{ "truncate", { "*path", "length" } },
	{ "fallocate", { "fd", "mode", "offset", "len" } },
	{ "dup", { "fildes" } },
	{ "unlink", { "*pathname" } },
	{ "unlinkat", { "dfd", "*pathname", "flag" } },
	{ "mkdir", { "*pathname", "mode" } },
	{ "mkdirat", { "dfd", "*pathname", "mode" } },
	{ "rename", { "*oldname", "*newname" } },
	{ "renameat2", { "olddfd", "*oldname", "newdfd", "*newname", "flags" } },
	{ "newfstatat", { "dfd", "*filename", "statbuf", "flag" } },
	{ "execve", { "*filename", "argv", "envp" } },
	{ "socket", { "family", "type", "protocol" } },
	{ "connect", { "fd", "uservaddr", "addrlen" } },
	{ "accept", { "fd", "upeer_sockaddr", "upeer_addrlen" } },
	{ "accept4", { "fd", "upeer_sockaddr", "upeer_addrlen", "flags" } },
	{ "sendto", { "fd", "buff", "len", "flags", "addr", "addr_len" } },
	{ "recvfrom", { "fd", "ubuf", "size", "flags", "addr", "addr_len" } },
	{ "mmap", { "addr", "len", "prot", "flags", "fd", "off" } },
	{ "getppid", { NULL } },
	{ "getpid", { NULL } },
};

static const char *const tracefs_dirs[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };

static int signature_from_tracefs(const char *name, struct sys_signature *sig)
{
	char path[256], line[512];
	bool past_nr = false;
	FILE *f = NULL;

	for (size_t i = 0; i < sizeof(tracefs_dirs) / sizeof(tracefs_dirs[0]) && !f; i++) {
		snprintf(path, sizeof(path), "%s/events/syscalls/sys_enter_%s/format", tracefs_dirs[i], name);
		f = fopen(path, "re");
	}
	if (!f)
		return -1;
	memset(sig, 0, sizeof(*sig));
	while (fgets(line, sizeof(line), f) && sig->nargs < SYS_MAX_ARGS) {
		char *field = strstr(line, "field:"), *semi, *arg;

		if (!field)
			continue;
		field += 6;
		semi = strchr(field, ';');
		if (!semi)
			continue;
		*semi = 0;
		if (strstr(field, "__syscall_nr")) {
			past_nr = true;
			continue;
		}
		if (!past_nr)
			continue;
		arg = strrchr(field, ' ');
		if (!arg)
			continue;
		*arg++ = 0;
		snprintf(sig->names[sig->nargs], SYS_ARG_NAME_LEN, "%s", arg);
		sig->is_string[sig->nargs] = strstr(field, "char *") && !strstr(field, "char **");
		sig->nargs++;
	}
	fclose(f);
	sig->from_tracefs = true;
	return past_nr ? 0 : -1;
}

int sys_signature(const char *name, struct sys_signature *sig)
{
	if (!signature_from_tracefs(name, sig))
		return 0;
	for (size_t i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++) {
		if (strcmp(builtin[i].name, name))
			continue;
		memset(sig, 0, sizeof(*sig));
		for (int a = 0; a < SYS_MAX_ARGS && builtin[i].args[a]; a++) {
			const char *n = builtin[i].args[a];

			sig->is_string[a] = n[0] == '*';
			snprintf(sig->names[a], SYS_ARG_NAME_LEN, "%s", n + sig->is_string[a]);
			sig->nargs++;
		}
		return 0;
	}
	return -1;
}

int sys_arg_index(const struct sys_signature *sig, const char *key)
{
	static const char *const path_names[] = { "path", "pathname", "filename" };
	bool path_alias = false;

	for (int i = 0; i < sig->nargs; i++)
		if (!strcmp(sig->names[i], key))
			return i;
	for (size_t k = 0; k < 3; k++)
		path_alias |= !strcmp(key, path_names[k]);
	if (!path_alias)
		return -1;
	for (int i = 0; i < sig->nargs; i++)
		for (size_t k = 0; k < 3; k++)
			if (sig->is_string[i] && !strcmp(sig->names[i], path_names[k]))
				return i;
	return -1;
}

/* Keeps the three names closest to want among those seen. */
struct closest3 {
	char name[3][64];
	size_t dist[3];
};

static void closest3_init(struct closest3 *c)
{
	memset(c, 0, sizeof(*c));
	for (int k = 0; k < 3; k++)
		c->dist[k] = (size_t)-1;
}

static void closest3_add(struct closest3 *c, const char *want, const char *name)
{
	size_t d = edit_distance(want, name);

	for (int k = 0; k < 3; k++) {
		if (c->dist[k] != (size_t)-1 && !strcmp(c->name[k], name))
			return;
		if (d < c->dist[k]) {
			for (int m = 2; m > k; m--) {
				c->dist[m] = c->dist[m - 1];
				memcpy(c->name[m], c->name[m - 1], sizeof(c->name[m]));
			}
			c->dist[k] = d;
			snprintf(c->name[k], sizeof(c->name[k]), "%s", name);
			return;
		}
	}
}

static void closest3_format(const struct closest3 *c, char *out, size_t len)
{
	size_t used = 0;

	out[0] = 0;
	for (int k = 0; k < 3 && c->dist[k] != (size_t)-1; k++)
		used += (size_t)snprintf(out + used, used < len ? len - used : 0, "%s'%s'",
					 k ? ", " : "; closest: ", c->name[k]);
}

/* Symbols found stay found while fpbpf runs: a rule set again (explore does it between
 * every run) must not read all of /proc/kallsyms again, a tenth of a second each time. */
#define KSYM_CACHE 64
static char ksym_found[KSYM_CACHE][64];
static int ksym_n;

static bool ksym_cached(const char *want)
{
	for (int i = 0; i < ksym_n; i++)
		if (!strcmp(ksym_found[i], want))
			return true;
	return false;
}

static void ksym_remember(const char *want)
{
	if (ksym_n < KSYM_CACHE && strlen(want) < sizeof(ksym_found[0]))
		snprintf(ksym_found[ksym_n++], sizeof(ksym_found[0]), "%s", want);
}

int sys_kernel_symbol(const char *name, char *sym, size_t len, char *why, size_t whylen)
{
	const size_t plen = strlen(SYSCALL_PREFIX);
	char line[512], want[128], hint[256];
	struct closest3 near;
	bool found = false;
	FILE *f;

	snprintf(want, sizeof(want), SYSCALL_PREFIX "%s", name);
	if (ksym_cached(want)) {
		snprintf(sym, len, "%s", want);
		return 0;
	}
	f = fopen("/proc/kallsyms", "re");
	if (!f) {
		snprintf(why, whylen, "cannot read /proc/kallsyms to find the syscall's entry");
		return -1;
	}
	closest3_init(&near);
	while (fgets(line, sizeof(line), f)) {
		char *s = strrchr(line, ' ');

		if (!s)
			continue;
		s++;
		s[strcspn(s, "\t\n")] = 0;
		if (strncmp(s, SYSCALL_PREFIX, plen))
			continue;
		if (!strcmp(s, want)) {
			found = true;
			break;
		}
		closest3_add(&near, name, s + plen);
	}
	fclose(f);
	if (!found) {
		closest3_format(&near, hint, sizeof(hint));
		snprintf(why, whylen, "no syscall '%s' in this kernel (no %s in /proc/kallsyms)%s", name, want, hint);
		return -1;
	}
	ksym_remember(want);
	snprintf(sym, len, "%s", want);
	return 0;
}

#define ERROR_INJECTION_LIST "/sys/kernel/debug/error_injection/list"

int kfunc_injectable(const char *func, char *why, size_t whylen)
{
	char line[512], hint[256];
	struct closest3 near;
	FILE *f = fopen(ERROR_INJECTION_LIST, "re");

	if (!f) {
		snprintf(why, whylen, "cannot read " ERROR_INJECTION_LIST " (is debugfs mounted?)");
		return -1;
	}
	closest3_init(&near);
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, " \t\n")] = 0;
		if (!strcmp(line, func)) {
			fclose(f);
			return 1;
		}
		closest3_add(&near, func, line);
	}
	fclose(f);
	closest3_format(&near, hint, sizeof(hint));
	snprintf(why, whylen, "'%s' is not on the kernel's error-injection list (" ERROR_INJECTION_LIST ")%s",
		 func, hint);
	return 0;
}

int sys_number(const char *name, char *why, size_t whylen)
{
	struct closest3 c;

	closest3_init(&c);
	for (size_t i = 0; i < sizeof(syscall_numbers) / sizeof(syscall_numbers[0]); i++) {
		if (!strcmp(syscall_numbers[i].name, name))
			return syscall_numbers[i].nr;
		closest3_add(&c, name, syscall_numbers[i].name);
	}
	{
		char near[256];

		closest3_format(&c, near, sizeof(near));
		snprintf(why, whylen, "no syscall '%s' on this architecture%s", name, near);
	}
	return -1;
}

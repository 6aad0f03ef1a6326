// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Each syscall here reaches its hook once per call on the path that does its work; a call
 * that fails earlier (a path that does not exist, a bad fd) never reaches it, and then
 * keeps its own result. */
#include <stddef.h>
#include <string.h>
#include "engine/lsm_hooks.h"

#define SYSCALLS(...) ((const char *const[]){ __VA_ARGS__, NULL })

const struct lsm_hook_row lsm_hook_table[] = {
	{ "file_open", SYSCALLS("open", "openat", "openat2", "creat") },
	{ "file_permission", SYSCALLS("read", "write", "pread64", "pwrite64", "readv", "writev", "preadv",
				      "pwritev", "preadv2", "pwritev2", "getdents", "getdents64", "sendfile") },
	{ "file_ioctl", SYSCALLS("ioctl") },
	{ "file_fcntl", SYSCALLS("fcntl") },
	{ "file_lock", SYSCALLS("flock") },
	{ "file_mprotect", SYSCALLS("mprotect") },
	{ "mmap_file", SYSCALLS("mmap") },
	{ "inode_getattr", SYSCALLS("stat", "fstat", "lstat", "newfstatat", "statx") },
	{ "inode_setattr", SYSCALLS("chmod", "fchmod", "fchmodat", "chown", "fchown", "lchown", "fchownat",
				    "truncate", "ftruncate", "utimensat") },
	{ "inode_mkdir", SYSCALLS("mkdir", "mkdirat") },
	{ "inode_rmdir", SYSCALLS("rmdir") },
	{ "inode_unlink", SYSCALLS("unlink", "unlinkat") },
	{ "inode_rename", SYSCALLS("rename", "renameat", "renameat2") },
	{ "inode_link", SYSCALLS("link", "linkat") },
	{ "inode_symlink", SYSCALLS("symlink", "symlinkat") },
	{ "inode_readlink", SYSCALLS("readlink", "readlinkat") },
	{ "socket_create", SYSCALLS("socket", "socketpair") },
	{ "socket_connect", SYSCALLS("connect") },
	{ "socket_bind", SYSCALLS("bind") },
	{ "socket_listen", SYSCALLS("listen") },
	{ "socket_accept", SYSCALLS("accept", "accept4") },
	{ "socket_sendmsg", SYSCALLS("sendto", "sendmsg", "sendmmsg") },
	{ "socket_recvmsg", SYSCALLS("recvfrom", "recvmsg", "recvmmsg") },
	{ "socket_shutdown", SYSCALLS("shutdown") },
	{ "socket_setsockopt", SYSCALLS("setsockopt") },
	{ "socket_getsockopt", SYSCALLS("getsockopt") },
	{ "task_kill", SYSCALLS("kill", "tkill", "tgkill") },
	{ "bprm_check", SYSCALLS("execve", "execveat") },
	{ NULL, NULL },
};

const char *lsm_hook_of(const char *syscall)
{
	for (const struct lsm_hook_row *row = lsm_hook_table; row->hook; row++)
		for (const char *const *s = row->syscalls; *s; s++)
			if (!strcmp(*s, syscall))
				return row->hook;
	return NULL;
}

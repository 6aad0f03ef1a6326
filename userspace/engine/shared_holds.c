// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "engine/shared_holds.h"
#include "fp_abi.h"

int shared_map_find(const char *name, __u32 type, __u32 key_size, __u32 value_size, __u32 max_entries)
{
	__u32 id = 0;

	while (!bpf_map_get_next_id(id, &id)) {
		struct bpf_map_info info = {};
		__u32 len = sizeof(info);
		int fd = bpf_map_get_fd_by_id(id);

		if (fd < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) && !strcmp(info.name, name) && info.type == type &&
		    info.key_size == key_size && info.value_size == value_size && info.max_entries == max_entries)
			return fd;
		close(fd);
	}
	return -ENOENT;
}

int shared_lock(void)
{
	int fd;

	mkdir("/run/fpbpf", 0700);
	fd = open(SHARED_LOCK_PATH, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	while (flock(fd, LOCK_EX) && errno == EINTR)
		;
	return fd;
}

void shared_unlock(int fd)
{
	if (fd >= 0)
		close(fd);	/* closing drops the flock */
}

static bool held_by_any(int holds_fd, pid_t pid)
{
	struct fp_hold_key key, next;
	int err;

	for (err = bpf_map_get_next_key(holds_fd, NULL, &next); !err;
	     err = bpf_map_get_next_key(holds_fd, &key, &next)) {
		key = next;
		if (key.pid == (__u32)pid)
			return true;
	}
	return false;
}

int shared_release(int holds_fd, pid_t pid, __u32 nonce)
{
	struct fp_hold_key key = { .pid = (__u32)pid, .nonce = nonce };

	/* Never continue what this session does not hold: the user may have stopped it. */
	if (bpf_map_delete_elem(holds_fd, &key))
		return 0;
	if (held_by_any(holds_fd, pid))
		return 0;
	return kill(pid, SIGCONT) == 0;
}

int shared_release_all(int holds_fd, __u32 nonce)
{
	struct fp_hold_key key, next;
	pid_t mine[256];
	int n = 0, continued = 0, err, rounds = 0;

	/* In rounds: deleting while walking a hash map may skip entries. */
	do {
		n = 0;
		for (err = bpf_map_get_next_key(holds_fd, NULL, &next); !err && n < 256;
		     err = bpf_map_get_next_key(holds_fd, &key, &next)) {
			key = next;
			if (key.nonce == nonce)
				mine[n++] = (pid_t)key.pid;
		}
		for (int i = 0; i < n; i++)
			continued += shared_release(holds_fd, mine[i], nonce);
	} while (n && ++rounds < 1000);
	return continued;
}

bool shared_holds(int holds_fd, pid_t pid, __u32 nonce)
{
	struct fp_hold_key key = { .pid = (__u32)pid, .nonce = nonce };
	__u8 v;

	return !bpf_map_lookup_elem(holds_fd, &key, &v);
}

void shared_drop_claims(int claims_fd, __u32 nonce)
{
	__u32 key, next, mine[256];
	struct fp_claim c;
	int n, err, rounds = 0;

	do {
		n = 0;
		for (err = bpf_map_get_next_key(claims_fd, NULL, &next); !err && n < 256;
		     err = bpf_map_get_next_key(claims_fd, &key, &next)) {
			key = next;
			if (!bpf_map_lookup_elem(claims_fd, &key, &c) && c.nonce == nonce)
				mine[n++] = key;
		}
		for (int i = 0; i < n; i++)
			bpf_map_delete_elem(claims_fd, &mine[i]);
	} while (n && ++rounds < 1000);
}

/* usdt_empty BINARY PROVIDER NAME -- CMD...: runs CMD with an empty BPF program on every
 * location of the probe, the baseline that fpbpf's per-hit work is compared against. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "empty_usdt.bpf.skel.h"

int main(int argc, char **argv)
{
	struct empty_usdt_bpf *skel;
	struct bpf_link *link;
	int status, err;
	pid_t pid;

	if (argc < 6 || strcmp(argv[4], "--")) {
		fprintf(stderr, "usage: usdt_empty BINARY PROVIDER NAME -- CMD...\n");
		return 2;
	}
	skel = empty_usdt_bpf__open_and_load();
	if (!skel) {
		err = -errno;
		fprintf(stderr, "usdt_empty: load: %s\n", strerror(-err));
		return 1;
	}
	link = bpf_program__attach_usdt(skel->progs.empty_usdt, -1, argv[1], argv[2], argv[3], NULL);
	if (!link) {
		err = -errno;
		fprintf(stderr, "usdt_empty: attach %s:%s: %s\n", argv[2], argv[3], strerror(-err));
		empty_usdt_bpf__destroy(skel);
		return 1;
	}
	pid = fork();
	if (pid == 0) {
		execv(argv[5], argv + 5);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	bpf_link__destroy(link);
	empty_usdt_bpf__destroy(skel);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

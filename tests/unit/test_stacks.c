// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* caller='s userspace half: function symbols by file offset, the call-site test, and a
 * walk of a real thread's stack while it waits in a syscall (what the seccomp supervisor
 * sees). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include "elf/elf_syms.h"
#include "engine/user_stack.h"

__attribute__((noinline)) int unit_probe_fn(int x)
{
	__asm__ volatile("" ::: "memory");
	return x * 3 + 1;
}

static void test_symbols(void **state)
{
	struct sym_range rg[4];
	char err[256];
	struct elf_syms *s = elf_syms__load("/proc/self/exe", err, sizeof(err));
	int n;

	(void)state;
	assert_non_null(s);
	n = elf_syms__match(s, "unit_probe_f*", rg, 4);
	assert_int_equal(n, 1);
	assert_true(rg[0].hi > rg[0].lo);
	assert_string_equal(elf_syms__at(s, rg[0].lo), "unit_probe_fn");
	assert_string_equal(elf_syms__at(s, rg[0].hi - 1), "unit_probe_fn");
	assert_true(elf_syms__covers(s, rg[0].lo, "unit_*"));
	assert_false(elf_syms__covers(s, rg[0].lo, "main"));
	assert_int_equal(elf_syms__match(s, "no_such_function_*", rg, 4), 0);
	assert_string_equal(elf_syms__closest(s, "unit_probe_fm"), "unit_probe_fn");
	/* More than max: counted, not stored past it. */
	assert_true(elf_syms__match(s, "*", rg, 4) > 4);
	elf_syms__free(s);
	assert_null(elf_syms__load("/proc/self/status", err, sizeof(err)));
	assert_non_null(strstr(err, "not an ELF file"));
}

static void test_call_precedes(void **state)
{
	const uint8_t rel32[7] = { 0x90, 0x90, 0xe8, 1, 2, 3, 4 };
	const uint8_t reg[7] = { 0x90, 0x90, 0x90, 0x90, 0x90, 0xff, 0xd0 };	/* call *%rax */
	const uint8_t rip[7] = { 0x90, 0xff, 0x15, 1, 2, 3, 4 };		/* call *x(%rip) */
	const uint8_t none[7] = { 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0xc3 };
	const uint8_t jmp[7] = { 0x90, 0x90, 0x90, 0x90, 0x90, 0xff, 0xe0 };	/* jmp *%rax */

	(void)state;
	assert_true(ustack_call_precedes(rel32));
	assert_true(ustack_call_precedes(reg));
	assert_true(ustack_call_precedes(rip));
	assert_false(ustack_call_precedes(none));
	assert_false(ustack_call_precedes(jmp));
}

__attribute__((noinline)) void unit_blocked_reader(int fd)
{
	char c;

	/* syscall(): a libc leaf that sanitizers do not wrap, like the wrappers of a plain build. */
	if (syscall(SYS_read, fd, &c, 1) < 0)
		_exit(1);
	__asm__ volatile("" ::: "memory");
}

/* A child waits in read called from unit_blocked_reader: the walk finds that function. */
static void test_walk_blocked_thread(void **state)
{
	struct ustack_syms *c = ustack_syms__new();
	struct ustack_frame fr[USTACK_MAX_FRAMES];
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	int p[2], n = 0, found = 0;
	char st[64], line[256];
	pid_t pid;

	(void)state;
	assert_int_equal(pipe(p), 0);
	pid = fork();
	if (!pid) {
		close(p[1]);
		unit_blocked_reader(p[0]);
		_exit(0);
	}
	close(p[0]);
	/* Until it sleeps in the read. */
	for (int i = 0; i < 250; i++) {
		FILE *f;

		snprintf(st, sizeof(st), "/proc/%d/wchan", pid);
		f = fopen(st, "r");
		line[0] = 0;
		if (f) {
			if (!fgets(line, sizeof(line), f))
				line[0] = 0;
			fclose(f);
		}
		if (line[0] && strcmp(line, "0"))
			break;
		nanosleep(&ts, NULL);
	}
	n = ustack__walk(c, pid, fr, USTACK_MAX_FRAMES);
	for (int i = 0; i < n; i++)
		found |= fr[i].func && !strcmp(fr[i].func, "unit_blocked_reader") && i == 0 &&
			 ustack_frame_matches(&fr[i], "unit_blocked_*");
	close(p[1]);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	ustack_syms__free(c);
	assert_true(n > 0);
	assert_true(found);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_symbols),
		cmocka_unit_test(test_call_precedes),
		cmocka_unit_test(test_walk_blocked_thread),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

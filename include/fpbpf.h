/* SPDX-License-Identifier: MIT */
/*
 * fpbpf.h - failpoints for fpbpf, header-only, C and C++ (GNU dialects: gcc, clang).
 *
 *   FPBPF_POINT(name, ctx...)          side effects only: sleep, delay, pause, panic, exit, signal, print
 *   FPBPF_FAIL(name, &rc, ctx...)      true when a return/error rule fires; *rc holds the value
 *
 * `name` is a C identifier; up to 4 context arguments (integers or C strings) follow and
 * rules match them as arg1..arg4. Each failpoint is a USDT probe fpbpf:NAME guarded by a
 * semaphore, so with no session attached it costs one load and one predicted branch.
 *
 * The probe passes the address of a verdict slot on the caller's stack; the attached BPF
 * program writes the verdict there (or, under kernel lockdown, stops the thread while the
 * controller writes it). Sleeping and pausing happen here, in the hitting thread only.
 */
#ifndef FPBPF_H
#define FPBPF_H

#if defined(_SYS_SDT_H) && !defined(_SDT_HAS_SEMAPHORES)
#error "include fpbpf.h before <sys/sdt.h>, or define _SDT_HAS_SEMAPHORES first"
#endif
#ifndef _SDT_HAS_SEMAPHORES
#define _SDT_HAS_SEMAPHORES 1
#endif
#include <sys/sdt.h>
#include <errno.h>
#include <signal.h>
#include <sched.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

/* fpbpf refuses markers built with another version; it travels in every marker's kind. */
#define FPBPF_ABI_VERSION 2

/* struct fp_verdict of fpbpf's bpf/fp_abi.h, then this header's private state; the
 * pairs are checked by _Static_assert in fpbpf's tests/unit/test_abi.c. */
struct fpbpf_slot {
	long long value;
	unsigned int action;
	unsigned int arg;
	unsigned long long token;
	unsigned int flags;
	unsigned int poll_ms;
	/* private to this header */
	unsigned int waiting;
	int owner;		/* the controller a stop-and-write wait belongs to */
	long long deadline_ns;
	unsigned int busy;	/* a delay: kept from the first verdict, which confirmations lack */
};

enum {
	FPBPF__OFF = 0,
	FPBPF__RETURN,
	FPBPF__SLEEP,
	FPBPF__PAUSE,
	FPBPF__YIELD,
	FPBPF__PRINT,
	FPBPF__PANIC,
	FPBPF__EXIT,
	FPBPF__SIGNAL,
};
#define FPBPF__CONFIRM_EACH_POLL 1u
#define FPBPF__BUSY 4u	/* delay: wait without giving the CPU up */
#define FPBPF__KIND_POINT (1 | FPBPF_ABI_VERSION << 8)
#define FPBPF__KIND_VALUE (2 | FPBPF_ABI_VERSION << 8)

static inline long long fpbpf__now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* fail-rs's delay: the thread spins, as if the work took that long. */
static inline void fpbpf__spin_ns(long long ns)
{
	long long end = fpbpf__now_ns() + ns;

	while (fpbpf__now_ns() < end)
		;
}

static inline void fpbpf__nap_ns(long long ns)
{
	struct timespec ts;

	ts.tv_sec = ns / 1000000000LL;
	ts.tv_nsec = ns % 1000000000LL;
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/*
 * Called after each probe fire. Returns 1 when the probe must fire again: the thread is
 * sleeping or paused and asks the session, once per poll interval, whether to go on
 * waiting. It resumes when the rule changes, when no session is attached any more
 * (semaphore back to 0, or, with direct writes, no confirmation), when the session's
 * controller is gone (stop-and-write verdicts name it in value), or when a sleep ends.
 */
static inline int fpbpf__wait(struct fpbpf_slot *s, volatile unsigned short *sema)
{
	long long now, left, nap;
	int saved_errno, gone;

	if (s->action != FPBPF__SLEEP && s->action != FPBPF__PAUSE) {
		if (s->waiting && s->action != FPBPF__OFF)
			s->action = FPBPF__OFF;	/* a confirmation of an ended wait */
		return 0;
	}
	saved_errno = errno;
	now = fpbpf__now_ns();
	if (!s->waiting) {
		s->waiting = s->action;
		s->owner = (s->flags & FPBPF__CONFIRM_EACH_POLL) ? 0 : (int)s->value;
		s->deadline_ns = s->action == FPBPF__SLEEP ? now + (long long)s->arg * 1000000LL : 0;
		s->busy = (s->flags & FPBPF__BUSY) != 0;
	}
	/* Another session may keep the semaphore up after ours ended, even uncleanly. */
	gone = s->owner > 0 && kill(s->owner, 0) && errno == ESRCH;
	if (*sema == 0 || gone || (s->waiting == FPBPF__SLEEP && now >= s->deadline_ns)) {
		s->action = FPBPF__OFF;
		errno = saved_errno;
		return 0;
	}
	nap = (long long)(s->poll_ms ? s->poll_ms : 20) * 1000000LL;
	if (s->waiting == FPBPF__SLEEP) {
		left = s->deadline_ns - now;
		if (left < nap)
			nap = left;
	}
	if (s->busy)
		fpbpf__spin_ns(nap);
	else
		fpbpf__nap_ns(nap);
	errno = saved_errno;
	if (s->waiting == FPBPF__SLEEP && fpbpf__now_ns() >= s->deadline_ns) {
		s->action = FPBPF__OFF;
		return 0;
	}
	if (s->flags & FPBPF__CONFIRM_EACH_POLL)
		s->action = FPBPF__OFF;
	return 1;
}

/* The verdict's effect once waiting is over; 1 when the failpoint must fail. */
static inline int fpbpf__finish(struct fpbpf_slot *s)
{
	switch (s->waiting ? (unsigned int)FPBPF__OFF : s->action) {
	case FPBPF__RETURN:
		return 1;
	case FPBPF__YIELD:
		sched_yield();
		return 0;
	case FPBPF__PANIC:
		abort();
	case FPBPF__EXIT:
		/* _exit, not exit: atexit handlers racing live threads can deadlock. */
		_exit((int)s->value);
	default:
		return 0;
	}
}

/* Defines the probe's semaphore once per object file (weak, hidden: one per DSO). */
#define FPBPF__SEMA_DEFINE(name)                                               \
	__asm__(".ifndef fpbpf_" #name "_semaphore\n"                          \
		".pushsection .probes,\"aw\",@progbits\n"                       \
		".weak fpbpf_" #name "_semaphore\n"                             \
		".hidden fpbpf_" #name "_semaphore\n"                           \
		".balign 2\n"                                                   \
		"fpbpf_" #name "_semaphore: .2byte 0\n"                         \
		".size fpbpf_" #name "_semaphore, 2\n"                          \
		".popsection\n"                                                 \
		".endif\n")

#define FPBPF__NARGS(...) FPBPF__NARGS_(0, ##__VA_ARGS__, 4, 3, 2, 1, 0)
#define FPBPF__NARGS_(z, a, b, c, d, n, ...) n
#define FPBPF__CAT(a, b) FPBPF__CAT_(a, b)
#define FPBPF__CAT_(a, b) a##b

/*
 * BPF reads string context arguments with page faults disabled, so a string in a page the
 * program never touched (a literal in .rodata, say) would read as garbage and never match.
 * Each argument is evaluated once into a temporary, and strings are touched first.
 */
static inline void fpbpf__touch(const char *s, int is_string)
{
	if (is_string && s)
		(void)*(volatile const char *)s;
}

#ifdef __cplusplus
template <typename T> struct fpbpf__is_str { enum { value = 0 }; };
template <> struct fpbpf__is_str<char *> { enum { value = 1 }; };
template <> struct fpbpf__is_str<const char *> { enum { value = 1 }; };
#define FPBPF__IS_STR(x) fpbpf__is_str<__typeof__((x) + 0)>::value
#else
#define FPBPF__IS_STR(x) _Generic((x) + 0, char *: 1, const char *: 1, default: 0)
#endif
#define FPBPF__ARG(v, x)                                                       \
	__typeof__((x) + 0) v = (x);                                           \
	fpbpf__touch((const char *)(unsigned long)v, FPBPF__IS_STR(v))
#define FPBPF__ARGS_0()
#define FPBPF__ARGS_1(a) FPBPF__ARG(fpbpf__a1_, a);
#define FPBPF__ARGS_2(a, b) FPBPF__ARGS_1(a) FPBPF__ARG(fpbpf__a2_, b);
#define FPBPF__ARGS_3(a, b, c) FPBPF__ARGS_2(a, b) FPBPF__ARG(fpbpf__a3_, c);
#define FPBPF__ARGS_4(a, b, c, d) FPBPF__ARGS_3(a, b, c) FPBPF__ARG(fpbpf__a4_, d);

#define FPBPF__PROBE_0(name, s, kind) STAP_PROBE3(fpbpf, name, s, (s)->token, kind)
#define FPBPF__PROBE_1(name, s, kind) STAP_PROBE4(fpbpf, name, s, (s)->token, kind, fpbpf__a1_)
#define FPBPF__PROBE_2(name, s, kind)                                          \
	STAP_PROBE5(fpbpf, name, s, (s)->token, kind, fpbpf__a1_, fpbpf__a2_)
#define FPBPF__PROBE_3(name, s, kind)                                          \
	STAP_PROBE6(fpbpf, name, s, (s)->token, kind, fpbpf__a1_, fpbpf__a2_, fpbpf__a3_)
#define FPBPF__PROBE_4(name, s, kind)                                          \
	STAP_PROBE7(fpbpf, name, s, (s)->token, kind, fpbpf__a1_, fpbpf__a2_, fpbpf__a3_, \
		    fpbpf__a4_)

#define FPBPF__SITE(name, kind, valp, ...)                                     \
	__extension__({                                                        \
		extern volatile unsigned short fpbpf_##name##_semaphore        \
			__asm__("fpbpf_" #name "_semaphore")                   \
			__attribute__((visibility("hidden")));                 \
		struct fpbpf_slot fpbpf__slot_;                                \
		int fpbpf__fail_ = 0;                                          \
		FPBPF__SEMA_DEFINE(name);                                      \
		if (__builtin_expect(fpbpf_##name##_semaphore != 0, 0)) {      \
			FPBPF__CAT(FPBPF__ARGS_, FPBPF__NARGS(__VA_ARGS__))(__VA_ARGS__) \
			__builtin_memset(&fpbpf__slot_, 0, sizeof(fpbpf__slot_)); \
			do {                                                   \
				FPBPF__CAT(FPBPF__PROBE_, FPBPF__NARGS(__VA_ARGS__)) \
				(name, &fpbpf__slot_, kind);                     \
			} while (fpbpf__wait(&fpbpf__slot_, &fpbpf_##name##_semaphore)); \
			fpbpf__fail_ = fpbpf__finish(&fpbpf__slot_);           \
			if (fpbpf__fail_)                                      \
				*(valp) = fpbpf__slot_.value;                  \
		}                                                              \
		fpbpf__fail_;                                                  \
	})

/* Marks a failpoint where only side effects (sleep, pause, panic, exit, signal, print) apply. */
#define FPBPF_POINT(name, ...)                                                 \
	__extension__({                                                        \
		long long fpbpf__unused_;                                      \
		(void)FPBPF__SITE(name, FPBPF__KIND_POINT, &fpbpf__unused_,    \
				  ##__VA_ARGS__);                              \
	})

/* True when a return(V)/error(E) rule fires; stores V (or -E) in *(rcp). */
#define FPBPF_FAIL(name, rcp, ...)                                             \
	__extension__({                                                        \
		long long fpbpf__val_ = 0;                                     \
		int fpbpf__hit_ = FPBPF__SITE(name, FPBPF__KIND_VALUE, &fpbpf__val_, \
					      ##__VA_ARGS__);                  \
		if (fpbpf__hit_)                                               \
			*(rcp) = (__typeof__(*(rcp)))fpbpf__val_;              \
		fpbpf__hit_;                                                   \
	})

#endif /* FPBPF_H */

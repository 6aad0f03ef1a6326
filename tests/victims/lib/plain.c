/* A plain sys/sdt.h probe, as other software ships them: no fpbpf.h, so no verdict slot
 * and no semaphore. */
#include <sys/sdt.h>

void fpvictim_plain_tick(long i)
{
	DTRACE_PROBE1(victim, plain_tick, i);
}

/* Another program's probe with a string argument, as DTRACE_PROBE2(p, step, i, "x") is. */
void fpvictim_plain_str(long i, const char *s)
{
	DTRACE_PROBE2(victim, plain_str, i, s);
}

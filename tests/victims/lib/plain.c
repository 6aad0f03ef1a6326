/* A plain sys/sdt.h probe, as other software ships them: no fpbpf.h, so no verdict slot
 * and no semaphore. */
#include <sys/sdt.h>

void fpvictim_plain_tick(long i)
{
	DTRACE_PROBE1(victim, plain_tick, i);
}

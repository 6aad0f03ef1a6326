/* A shared library with its own failpoint, so tests can prove that list, attach and
 * usdt:PATH:... rules reach failpoints outside the main binary. */
#include "fpbpf.h"

int fpvictim_lib_call(int i)
{
	long rc = 0;

	if (FPBPF_FAIL(vlib, &rc, i))
		return (int)rc;
	return 0;
}

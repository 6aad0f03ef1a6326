// The application header from C++: both failpoint forms with integer and string
// context arguments: a std::string's c_str(), and a string nothing else reads, alone in
// its pages, which BPF could not read unless fpbpf.h touched it first. The padding keeps
// the kernel's fault-around (64 KiB windows) from mapping it along with a neighbour.
#include <cstdio>
#include <string>
#include "fpbpf.h"

struct alignas(65536) lonely {
	char before[65536];
	char text[65536];
	char after[65536];
};
static const lonely untouched = { {}, "never_read_literal", {} };

static int call(int i, const std::string &tenant)
{
	long rc = 0;

	FPBPF_POINT(cxx_point, i);
	if (FPBPF_FAIL(cxx_fail, &rc, i, tenant.c_str(), untouched.text))
		return static_cast<int>(rc);
	return 0;
}

int main()
{
	for (int i = 1; i <= 2; i++)
		std::printf("%d:%d\n", i, call(i, i == 1 ? "test_one" : "prod_two"));
	return 0;
}

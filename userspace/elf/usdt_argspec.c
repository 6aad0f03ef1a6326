// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* SystemTap SDT argument specs, read per architecture the way libbpf's usdt.c does. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "elf/usdt_argspec.h"

/* Longer than any spec a compiler writes for a form we accept. */
#define SPEC_MAX 64
#define REG_MAX sizeof(((struct usdt_arg *)0)->reg)

struct arch_syntax {
	const char *name;
	const char *reg_pfx;	/* before every register: '%' in AT&T syntax */
	char imm_pfx;		/* before constants and bracket offsets, 0 if none */
	bool imm_pfx_required;	/* x86: a bare number would be an absolute address */
	bool brackets;		/* "[reg, off]" rather than "off(reg)" */
	const char *named;	/* register names, each with a blank either side */
	struct {
		const char *pfx;
		int lo, hi;
	} nums[3];		/* numbered registers: pfx, then lo..hi */
	const char *num_suffix;	/* x86: r8d, r8w, r8b are r8's 32/16/8-bit parts */
};

/* The registers are those libbpf maps to pt_regs, plus aarch64's w aliases. */
static const struct arch_syntax arches[] = {
	{ "x86_64", "%", '$', true, false,
	  " rip eip rax eax ax al rbx ebx bx bl rcx ecx cx cl rdx edx dx dl "
	  "rsi esi si sil rdi edi di dil rbp ebp bp bpl rsp esp sp spl ",
	  { { "r", 8, 15 } }, "dwb" },
	{ "aarch64", "", '#', false, true, " sp ", { { "x", 0, 30 }, { "w", 0, 30 } }, "" },
	{ "riscv64", "", 0, false, false, " ra sp gp tp fp ",
	  { { "a", 0, 7 }, { "s", 0, 11 }, { "t", 0, 6 } }, "" },
	{ "s390x", "%", 0, false, false, "", { { "r", 0, 15 } }, "" },
	{ "arm", "", '#', false, true, " sl fp ip sp lr pc ", { { "r", 0, 15 } }, "" },
};

#if defined(__x86_64__)
#define HOST_ARCH "x86_64"
#elif defined(__aarch64__)
#define HOST_ARCH "aarch64"
#elif defined(__riscv) && __riscv_xlen == 64
#define HOST_ARCH "riscv64"
#elif defined(__s390x__)
#define HOST_ARCH "s390x"
#elif defined(__arm__)
#define HOST_ARCH "arm"
#else
#define HOST_ARCH NULL
#endif

/* NULL: the build machine, from compile-time macros; uname says aarch64 to 32-bit arm. */
static const struct arch_syntax *arch_find(const char *name)
{
	size_t i;

	if (!name && !(name = HOST_ARCH))
		return NULL;
	if (!strcmp(name, "arm64"))
		name = "aarch64";
	else if (!strncmp(name, "armv", 4))	/* uname: armv6l, armv7l */
		name = "arm";
	for (i = 0; i < sizeof(arches) / sizeof(arches[0]); i++)
		if (!strcmp(name, arches[i].name))
			return &arches[i];
	return NULL;
}

/* s[0..n) is pfx then a decimal in lo..hi, written without leading zeros. */
static bool reg_numbered(const char *s, size_t n, const char *pfx, int lo, int hi)
{
	size_t i = strlen(pfx);
	char *end;
	long v;

	if (n <= i || strncmp(s, pfx, i) || !isdigit((unsigned char)s[i]) ||
	    (s[i] == '0' && n > i + 1))
		return false;
	v = strtol(s + i, &end, 10);
	return end == s + n && v >= lo && v <= hi;
}

static bool reg_known(const char *r, const struct arch_syntax *as)
{
	char word[REG_MAX + 2];
	size_t n = strlen(r), i;

	snprintf(word, sizeof(word), " %s ", r);
	if (strstr(as->named, word))
		return true;
	if (n && strchr(as->num_suffix, r[n - 1]))
		n--;
	for (i = 0; i < 3 && as->nums[i].pfx; i++)
		if (reg_numbered(r, n, as->nums[i].pfx, as->nums[i].lo, as->nums[i].hi))
			return true;
	return false;
}

static const char *skip_blanks(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	return s;
}

/* The spec at *cur, advancing past it; blanks inside [] or () do not end it. */
static const char *next_spec(const char **cur, size_t *len)
{
	const char *start = skip_blanks(*cur), *s = start;
	int depth = 0;

	if (!*start)
		return NULL;
	for (; *s && (depth || !isspace((unsigned char)*s)); s++) {
		if (*s == '[' || *s == '(')
			depth++;
		else if ((*s == ']' || *s == ')') && depth)
			depth--;
	}
	*len = (size_t)(s - start);
	*cur = s;
	return start;
}

/* A decimal or 0x-hex integer with an optional '-'; *p moves past it. */
static bool parse_num(const char **p, long long *v)
{
	const char *s = *p + (**p == '-');
	char *end;

	if (!isdigit((unsigned char)*s))
		return false;
	errno = 0;
	*v = strtoll(*p, &end, s[0] == '0' && (s[1] == 'x' || s[1] == 'X') ? 16 : 10);
	if (errno)
		return false;
	*p = end;
	return true;
}

/* The arch's register prefix, then a name it knows; reg is left empty when not. */
static bool parse_reg(const char **p, const struct arch_syntax *as, char *reg)
{
	size_t pfx = strlen(as->reg_pfx), n = 0;
	const char *s = *p + pfx;

	if (strncmp(*p, as->reg_pfx, pfx))
		return false;
	/* a name too long to keep is cut to one no arch has */
	while (n < REG_MAX - 1 && (islower((unsigned char)s[n]) || isdigit((unsigned char)s[n])))
		n++;
	memcpy(reg, s, n);
	reg[n] = '\0';
	if (n && reg_known(reg, as)) {
		*p = s + n;
		return true;
	}
	reg[0] = '\0';
	return false;
}

/* "[reg]" or "[reg, off]"; s is past the '['. */
static int parse_bracket(const char *s, const struct arch_syntax *as, struct usdt_arg *a)
{
	s = skip_blanks(s);
	if (!parse_reg(&s, as, a->reg))
		return -EINVAL;
	s = skip_blanks(s);
	if (*s == ',') {
		s = skip_blanks(s + 1);
		if (as->imm_pfx && *s == as->imm_pfx)
			s++;
		if (!parse_num(&s, &a->val))
			return -EINVAL;
		s = skip_blanks(s);
	}
	a->kind = USDT_ARG_REG_DEREF;
	return strcmp(s, "]") ? -EINVAL : 0;
}

/* Everything after '@'. */
static int parse_location(const char *s, const struct arch_syntax *as, struct usdt_arg *a)
{
	if (as->brackets && *s == '[')
		return parse_bracket(s + 1, as, a);
	if (parse_reg(&s, as, a->reg)) {
		a->kind = USDT_ARG_REG;
		return *s ? -EINVAL : 0;
	}
	a->kind = USDT_ARG_CONST;
	if (as->imm_pfx && *s == as->imm_pfx) {
		s++;
		return parse_num(&s, &a->val) && !*s ? 0 : -EINVAL;
	}
	/* "(%rax)" has no offset; "sym(%rip)" has one libbpf cannot use either */
	if (*s != '(' && !parse_num(&s, &a->val))
		return -EINVAL;
	if (!*s)
		return as->imm_pfx_required ? -EINVAL : 0;
	if (as->brackets || *s++ != '(' || !parse_reg(&s, as, a->reg) || strcmp(s, ")"))
		return -EINVAL;
	a->kind = USDT_ARG_REG_DEREF;
	return 0;
}

int usdt_arg_parse(const char *args, int idx, const char *arch, struct usdt_arg *out)
{
	const struct arch_syntax *as = arch_find(arch);
	struct usdt_arg a = { 0 };
	char spec[SPEC_MAX];
	const char *s = NULL, *cur = args ? args : "";
	long long size;
	size_t len = 0;
	int ret;

	memset(out, 0, sizeof(*out));
	if (!as)
		return -EOPNOTSUPP;
	if (idx < 0)
		return -EINVAL;
	for (int i = 0; i <= idx; i++)
		if (!(s = next_spec(&cur, &len)))
			return -ENOENT;
	if (len >= sizeof(spec))
		return -EINVAL;
	memcpy(spec, s, len);
	spec[len] = '\0';
	s = spec;
	if (!parse_num(&s, &size) || *s != '@' || size < -8 || size > 8)
		return -EINVAL;
	a.is_signed = size < 0;
	a.size = (int)(size < 0 ? -size : size);
	if (a.size != 1 && a.size != 2 && a.size != 4 && a.size != 8)
		return -EINVAL;
	ret = parse_location(s + 1, as, &a);
	if (!ret)
		*out = a;
	return ret;
}

int usdt_arg_count(const char *args)
{
	const char *cur = args ? args : "";
	size_t len;
	int n = 0;

	while (next_spec(&cur, &len))
		n++;
	return n;
}

bool usdt_arg_is_const(const struct usdt_arg *a, long long v)
{
	/* size 0: the zeroed result of a failed parse, not the constant 0 */
	return a && a->size && a->kind == USDT_ARG_CONST && a->val == v;
}

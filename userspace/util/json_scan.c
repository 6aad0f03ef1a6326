// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Just enough JSON reading for the control client: fields of the flat objects our own
 * session writes, found by key at the top level of an object. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/json_scan.h"

/* End of the value starting at p (string, object, array or scalar), or NULL. */
static const char *skip_value(const char *p)
{
	int depth = 0;
	bool in_str = false;

	for (; *p; p++) {
		if (in_str) {
			if (*p == '\\' && p[1])
				p++;
			else if (*p == '"')
				in_str = false;
			if (!in_str && !depth)
				return p + 1;
			continue;
		}
		if (*p == '"')
			in_str = true;
		else if (*p == '{' || *p == '[')
			depth++;
		else if (*p == '}' || *p == ']') {
			if (!depth)
				return p;	/* end of the enclosing container */
			if (!--depth)
				return p + 1;
		} else if (!depth && (*p == ',' || *p == ' '))
			return p;
	}
	return depth || in_str ? NULL : p;
}

/* The value of key at the top level of the object obj points into, or NULL. */
static const char *find_key(const char *obj, const char *key)
{
	size_t klen = strlen(key);
	const char *p = strchr(obj, '{');

	if (!p)
		return NULL;
	p++;
	while (*p) {
		const char *k, *v;

		p += strspn(p, " \t\n,");
		if (*p != '"')
			return NULL;
		k = p + 1;
		p = skip_value(p);
		if (!p || *p != ':')
			return NULL;
		v = p + 1;
		if ((size_t)(p - 1 - k) == klen && !strncmp(k, key, klen))
			return v;
		p = skip_value(v);
		if (!p || *p == '}')
			return NULL;
	}
	return NULL;
}

bool json_get_bool(const char *obj, const char *key, bool *out)
{
	const char *v = find_key(obj, key);

	if (!v || (strncmp(v, "true", 4) && strncmp(v, "false", 5)))
		return false;
	*out = v[0] == 't';
	return true;
}

bool json_get_num(const char *obj, const char *key, double *out)
{
	const char *v = find_key(obj, key);
	char *end;

	if (!v)
		return false;
	*out = strtod(v, &end);
	return end != v;
}

bool json_get_str(const char *obj, const char *key, char *out, size_t len)
{
	const char *v = find_key(obj, key);
	size_t n = 0;

	if (!v || *v != '"' || !len)
		return false;
	for (v++; *v && *v != '"'; v++) {
		char c = *v;

		if (c == '\\' && v[1]) {
			v++;
			c = *v == 'n' ? '\n' : *v == 't' ? '\t' : *v == 'u' ? '?' : *v;
			if (*v == 'u')
				v += strlen(v) >= 5 ? 4 : 0;
		}
		if (n + 1 < len)
			out[n++] = c;
	}
	out[n] = 0;
	return *v == '"';
}

const char *json_array_next(const char *obj, const char *key, const char *prev)
{
	const char *p = prev ? skip_value(prev) : find_key(obj, key);

	if (!p)
		return NULL;
	if (!prev) {
		if (*p != '[')
			return NULL;
		p++;
	}
	p += strspn(p, " \t\n,");
	return *p == '{' || *p == '"' || (*p >= '0' && *p <= '9') || *p == '-' ? p : NULL;
}

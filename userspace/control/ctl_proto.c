// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdio.h>
#include <string.h>
#include "control/ctl_proto.h"

bool ctl_name_ok(const char *name, char *err, size_t errlen)
{
	size_t len = strlen(name);

	if (len && len < CTL_NAME_LEN && name[0] != '.' &&
	    strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == len)
		return true;
	snprintf(err, errlen, "--session: bad name '%s', expected 1-%d letters, digits, '.', '_' or '-' (not starting with '.')",
		 name, CTL_NAME_LEN - 1);
	return false;
}

bool ctl_sock_path(const char *name, char *out, size_t len)
{
	return snprintf(out, len, "%s/%s.sock", CTL_DIR, name) < (int)len;
}

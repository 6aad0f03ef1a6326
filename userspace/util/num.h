/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Numbers from users, read whole and exactly: a value out of range or with trailing
 * bytes is refused, never clamped or cut (strtoull alone does both silently). */
#ifndef FPBPF_NUM_H
#define FPBPF_NUM_H

#include <stdint.h>

/* C notation (decimal, 0x hex, 0 octal). 0, -EINVAL (not a number) or -ERANGE. */
int num_i64(const char *s, int64_t min, int64_t max, int64_t *out);
/* Decimal only, no sign. 0, -EINVAL or -ERANGE. */
int num_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);
/* A decimal with at most `decimals` digits after the point, scaled by 10^decimals:
 * ("0.5", 3) -> 500. No exponent, no sign. 0, -EINVAL, -ERANGE, or -EDOM when it has
 * more decimals than the scale can hold exactly. */
int num_fixed(const char *s, int decimals, uint64_t max_scaled, uint64_t *out);

#endif

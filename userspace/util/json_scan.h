/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Reads fields of the JSON objects a session sends (top-level keys only). */
#ifndef FPBPF_JSON_SCAN_H
#define FPBPF_JSON_SCAN_H

#include <stdbool.h>
#include <stddef.h>

bool json_get_bool(const char *obj, const char *key, bool *out);
bool json_get_num(const char *obj, const char *key, double *out);
/* Unescapes into out (truncating); \uXXXX becomes '?'. */
bool json_get_str(const char *obj, const char *key, char *out, size_t len);
/* Walks the array under key: the first element when prev is NULL, else the one after
 * prev; NULL at the end. Elements are objects, strings or numbers. */
const char *json_array_next(const char *obj, const char *key, const char *prev);

#endif

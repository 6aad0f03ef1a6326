/* kvdemo: a toy key-value writer with failpoints, the target of `make demo`.
 * It writes N records through a write-ahead log and reports how each step went,
 * so injected faults and the program's reaction are visible side by side. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fpbpf.h"

static int wal_append(int key)
{
	int rc = 0;

	if (FPBPF_FAIL(wal_append, &rc, key))
		return rc;
	return 0;
}

static int db_write(int key, const char *tenant)
{
	int rc;

	if (FPBPF_FAIL(db_write, &rc, key, tenant))
		return rc;
	return wal_append(key);
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 8, ok = 0, failed = 0;
	const char *tenants[] = { "prod_eu", "test_alpha", "prod_us", "test_beta" };

	for (int key = 1; key <= n; key++) {
		const char *tenant = tenants[key % 4];
		int rc;

		FPBPF_POINT(before_write, key);
		rc = db_write(key, tenant);
		if (rc) {
			printf("kvdemo: write key=%d tenant=%s failed: %s (rc=%d), retrying once\n", key, tenant,
			       rc < 0 ? strerror(-rc) : "error", rc);
			rc = db_write(key, tenant);
		}
		if (rc) {
			printf("kvdemo: write key=%d tenant=%s gave up: rc=%d\n", key, tenant, rc);
			failed++;
		} else {
			printf("kvdemo: write key=%d tenant=%s ok\n", key, tenant);
			ok++;
		}
	}
	FPBPF_POINT(shutdown);
	printf("kvdemo: %d written, %d failed\n", ok, failed);
	return failed ? 1 : 0;
}

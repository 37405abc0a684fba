/*
 * SQLite's own allocations, for tests only (tests/run-fault.sh): SQLite's allocator is
 * wrapped (SQLITE_CONFIG_MALLOC, before SQLite starts) so that
 *
 *   ATTEND_FAIL_SQLITE_ALLOC=N   the Nth allocation SQLite makes fails (once), counted
 *                                from when main starts (fault_sqlite_alloc_arm)
 *
 * and SQLite reports SQLITE_NOMEM to attend, which must end cleanly.
 */
#include "fault.h"

#include <sqlite3.h>
#include <stdlib.h>

static sqlite3_mem_methods real;
static unsigned long allocs, fail_at;

static void *
counted_malloc(int n)
{
	return ++allocs == fail_at ? NULL : real.xMalloc(n);
}

static void *
counted_realloc(void *p, int n)
{
	return ++allocs == fail_at ? NULL : real.xRealloc(p, n);
}

unsigned long
fault_sqlite_allocs(void)
{
	return allocs;
}

void
fault_sqlite_alloc_arm(void)
{
	const char *n = getenv("ATTEND_FAIL_SQLITE_ALLOC");
	allocs = 0;
	fail_at = n ? strtoul(n, NULL, 10) : 0;
}

int
fault_sqlite_alloc_init(void)
{
	if (sqlite3_config(SQLITE_CONFIG_GETMALLOC, &real) != SQLITE_OK)
		return -1;
	sqlite3_mem_methods counted = real;
	counted.xMalloc = counted_malloc;
	counted.xRealloc = counted_realloc;
	return sqlite3_config(SQLITE_CONFIG_MALLOC, &counted) == SQLITE_OK ? 0 : -1;
}

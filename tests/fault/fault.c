/*
 * Arms both fault injectors before attend's main runs, and writes the counts at exit so that
 * tests/run-fault.sh knows how many allocations and writes a command makes.
 */
#include "fault.h"

#include <stdio.h>
#include <stdlib.h>

static void
write_counts(void)
{
	const char *path = getenv("ATTEND_FAULT_COUNT");
	if (!path)
		return;
	FILE *f = fopen(path, "w");
	if (!f)
		return;
	fprintf(f, "allocs %lu writes %lu sqlite-allocs %lu\n", fault_allocs(), fault_writes(), fault_sqlite_allocs());
	fclose(f);
}

__attribute__((constructor)) static void
fault_init(void)
{
	if (fault_sqlite_alloc_init() != 0 || fault_vfs_init() != 0) {
		fputs("attend-fault: cannot wrap SQLite's allocator and VFS\n", stderr);
		exit(99);
	}
	fault_sqlite_alloc_arm();
	fault_alloc_init();
	atexit(write_counts);
}

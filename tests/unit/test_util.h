/* Helpers shared by the unit tests (header-only: each test is its own program). */
#ifndef TEST_UTIL_H
#define TEST_UTIL_H

#include <stdio.h>

/* Writes text to path, failing the test if it cannot. */
static inline void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

#endif

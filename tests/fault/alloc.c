/*
 * Allocation failure for tests only (tests/run-fault.sh). build/tests/attend-fault links the
 * command line with -Wl,--wrap for each allocator below, so every allocation made by attend's
 * own code comes here; SQLite's and libxml2's own allocations do not.
 *
 *   ATTEND_FAIL_ALLOC=N    the Nth allocation fails (once; later ones succeed)
 *   ATTEND_FAULT_COUNT=F   at exit, write "allocs A writes W" to file F
 *
 * The counter is process-wide state, which is why this lives in tests/ and never in the library.
 */
#include "fault.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void *__real_malloc(size_t);
void *__real_calloc(size_t, size_t);
void *__real_realloc(void *, size_t);
char *__real_strdup(const char *);
char *__real_strndup(const char *, size_t);
FILE *__real_open_memstream(char **, size_t *);
int __real_vasprintf(char **, const char *, va_list);

void *__wrap_malloc(size_t);
void *__wrap_calloc(size_t, size_t);
void *__wrap_realloc(void *, size_t);
char *__wrap_strdup(const char *);
char *__wrap_strndup(const char *, size_t);
FILE *__wrap_open_memstream(char **, size_t *);
int __wrap_vasprintf(char **, const char *, va_list);

static unsigned long allocs, fail_at;

/* 1 when this allocation is the one to fail. */
static int
alloc_fails(void)
{
	allocs++;
	if (allocs != fail_at)
		return 0;
	errno = ENOMEM;
	return 1;
}

unsigned long
fault_allocs(void)
{
	return allocs;
}

void
fault_alloc_init(void)
{
	const char *n = getenv("ATTEND_FAIL_ALLOC");
	fail_at = n ? strtoul(n, NULL, 10) : 0;
}

void *
__wrap_malloc(size_t size)
{
	return alloc_fails() ? NULL : __real_malloc(size);
}

void *
__wrap_calloc(size_t n, size_t size)
{
	return alloc_fails() ? NULL : __real_calloc(n, size);
}

void *
__wrap_realloc(void *p, size_t size)
{
	return alloc_fails() ? NULL : __real_realloc(p, size);
}

char *
__wrap_strdup(const char *s)
{
	return alloc_fails() ? NULL : __real_strdup(s);
}

char *
__wrap_strndup(const char *s, size_t n)
{
	return alloc_fails() ? NULL : __real_strndup(s, n);
}

FILE *
__wrap_open_memstream(char **buf, size_t *size)
{
	return alloc_fails() ? NULL : __real_open_memstream(buf, size);
}

int
__wrap_vasprintf(char **out, const char *fmt, va_list ap)
{
	if (alloc_fails()) {
		*out = NULL;
		return -1;
	}
	return __real_vasprintf(out, fmt, ap);
}

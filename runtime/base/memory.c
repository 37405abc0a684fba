#include "runtime/base/memory.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
base_out_of_memory(void)
{
	fputs("attend: out of memory\n", stderr);
	exit(2);
}

void *
base_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);
	if (!p)
		base_out_of_memory();
	return p;
}

void *
base_xrealloc(void *p, size_t size)
{
	void *n = realloc(p, size);
	if (!n)
		base_out_of_memory();
	return n;
}

char *
base_xstrdup(const char *s)
{
	char *copy = strdup(s);
	if (!copy)
		base_out_of_memory();
	return copy;
}

/*
 * Allocation that does not return NULL. Where unwinding an out-of-memory error through every
 * caller would cost more than it is worth (the compiler's arena and diagnostics, the program
 * builder, findings), the process ends with "attend: out of memory" and exit status 2: a clean
 * error, never abort(). Everywhere else a failed allocation is reported and returned.
 */
#ifndef BASE_MEMORY_H
#define BASE_MEMORY_H

#include <stddef.h>

_Noreturn void base_out_of_memory(void);
void *base_xcalloc(size_t n, size_t size);
void *base_xrealloc(void *p, size_t size);
char *base_xstrdup(const char *s);

#endif

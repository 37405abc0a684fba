/*
 * One arena per compilation: AST nodes and their strings are allocated here
 * and freed together, so the parser needs no %destructor and error recovery
 * cannot leak.
 */
#ifndef LANG_ARENA_H
#define LANG_ARENA_H

#include <stddef.h>

struct lang_arena;

struct lang_arena *lang_arena_new(void);
void lang_arena_free(struct lang_arena *a);

/* Zeroed memory, aligned for any object; aborts on out-of-memory. */
void *lang_arena_alloc(struct lang_arena *a, size_t size);
char *lang_arena_strndup(struct lang_arena *a, const char *s, size_t len);
char *lang_arena_strdup(struct lang_arena *a, const char *s);

#endif

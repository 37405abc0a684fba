#include "arena.h"

#include "runtime/base/memory.h"

#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_SIZE 16384

struct chunk {
	struct chunk *next;
	size_t used, size;
	alignas(max_align_t) unsigned char data[];
};

struct lang_arena {
	struct chunk *head;
};

struct lang_arena *
lang_arena_new(void)
{
	return base_xcalloc(1, sizeof(struct lang_arena));
}

void
lang_arena_free(struct lang_arena *a)
{
	if (!a)
		return;
	struct chunk *c = a->head;
	while (c) {
		struct chunk *next = c->next;
		free(c);
		c = next;
	}
	free(a);
}

void *
lang_arena_alloc(struct lang_arena *a, size_t size)
{
	size_t align = alignof(max_align_t);
	size = (size + align - 1) & ~(align - 1);
	if (!a->head || a->head->size - a->head->used < size) {
		size_t csize = size > CHUNK_SIZE ? size : CHUNK_SIZE;
		struct chunk *c = base_xcalloc(1, sizeof *c + csize);
		c->size = csize;
		c->next = a->head;
		a->head = c;
	}
	void *p = a->head->data + a->head->used;
	a->head->used += size;
	return p;
}

char *
lang_arena_strndup(struct lang_arena *a, const char *s, size_t len)
{
	char *p = lang_arena_alloc(a, len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *
lang_arena_strdup(struct lang_arena *a, const char *s)
{
	return lang_arena_strndup(a, s, strlen(s));
}

/*
 * The merged declarations by key, so that merging a policy with what it
 * builds on, and every name lookup after it, takes constant time: a policy
 * with a hundred thousand flags checks in linear time, not quadratic.
 */
#include <stdint.h>
#include <string.h>

#include "arena.h"
#include "context.h"

/* Declarations share a key space when they cannot both stand: values (let,
 * target, schedule, flag) by name; stages by number; codes, letters and leave
 * notices by name within their kind; one of each of the rest. */
static int
key_class(enum lang_decl_kind k)
{
	if (k == LANG_D_LET || k == LANG_D_TARGET || k == LANG_D_SCHEDULE || k == LANG_D_FLAG)
		return -1;
	return (int)k;
}

static int
named(int class)
{
	return class == -1 || class == LANG_D_CODE || class == LANG_D_LETTER || class == LANG_D_LEAVE_NOTICE;
}

static uint64_t
hash_key(int class, const char *name, int64_t stage)
{
	uint64_t h = 1469598103934665603u ^ (uint64_t)(class + 2);
	h *= 1099511628211u;
	if (named(class))
		for (const unsigned char *s = (const unsigned char *)name; *s; s++)
			h = (h ^ *s) * 1099511628211u;
	else if (class == LANG_D_STAGE)
		for (int i = 0; i < 8; i++)
			h = (h ^ (uint8_t)((uint64_t)stage >> (8 * i))) * 1099511628211u;
	return h;
}

static int
matches(const struct lang_decl *d, int class, const char *name, int64_t stage)
{
	if (key_class(d->kind) != class)
		return 0;
	if (named(class))
		return strcmp(d->name, name) == 0;
	return class != LANG_D_STAGE || d->stage == stage;
}

void
lang_decl_index_init(struct lang_ctx *ctx, size_t total)
{
	size_t cap = 16;
	while (cap < 2 * total + 2)
		cap *= 2;
	ctx->index_cap = cap;
	ctx->index = lang_arena_alloc(ctx->arena, cap * sizeof *ctx->index);
	memset(ctx->index, 0, cap * sizeof *ctx->index);
}

/* The slot holding the key, or the empty slot where it would go. */
static size_t *
slot_of(const struct lang_ctx *ctx, int class, const char *name, int64_t stage)
{
	size_t mask = ctx->index_cap - 1, i = (size_t)hash_key(class, name, stage) & mask;
	while (ctx->index[i] && !matches(ctx->decls[ctx->index[i] - 1], class, name, stage))
		i = (i + 1) & mask;
	return &ctx->index[i];
}

long
lang_decl_index_find(const struct lang_ctx *ctx, const struct lang_decl *d)
{
	size_t *slot = slot_of(ctx, key_class(d->kind), d->name, d->stage);
	return *slot ? (long)*slot - 1 : -1;
}

void
lang_decl_index_add(struct lang_ctx *ctx, size_t i)
{
	const struct lang_decl *d = ctx->decls[i];
	*slot_of(ctx, key_class(d->kind), d->name, d->stage) = i + 1;
}

static struct lang_decl *
lookup(const struct lang_ctx *ctx, int class, const char *name, int64_t stage)
{
	if (!ctx->index)
		return NULL;
	size_t *slot = slot_of(ctx, class, name, stage);
	return *slot ? ctx->decls[*slot - 1] : NULL;
}

struct lang_decl *
lang_find_decl(const struct lang_ctx *ctx, enum lang_decl_kind kind, const char *name)
{
	struct lang_decl *d = named(key_class(kind)) ? lookup(ctx, key_class(kind), name, 0) : NULL;
	return d && d->kind == kind ? d : NULL;
}

struct lang_decl *
lang_find_value(const struct lang_ctx *ctx, const char *name)
{
	return lookup(ctx, -1, name, 0);
}

struct lang_decl *
lang_find_stage(const struct lang_ctx *ctx, int64_t n)
{
	return lookup(ctx, LANG_D_STAGE, NULL, n);
}

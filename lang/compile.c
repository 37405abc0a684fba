/*
 * The compiler's entry points: load the policy and what it builds on, parse,
 * check, generate. Diagnostics are printed once, at the end.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "runtime/base/memory.h"
#include "runtime/base/text.h"
#include "context.h"
#include "lang.h"
#include "lint.h"
#include "parse.h"

#define MAX_SOURCE_BYTES (64u << 20)

/* The folder part of a path, "." when there is none. */
static const char *
dir_of(struct lang_arena *a, const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return ".";
	if (slash == path)
		return "/";
	return lang_arena_strndup(a, path, (size_t)(slash - path));
}

/* Reads a whole file into the arena. NULL with errno set on failure. */
static char *
read_all(struct lang_arena *a, const char *path, size_t *len)
{
	char *buf = base_read_file(path, MAX_SOURCE_BYTES, len);
	if (!buf)
		return NULL;
	char *text = lang_arena_strndup(a, buf, *len);
	free(buf);
	return text;
}

static struct lang_file *
add_file(struct lang_ctx *ctx, const char *name, char *text, size_t len, const char *real)
{
	struct lang_file *f = lang_arena_alloc(ctx->arena, sizeof *f);
	f->src = (struct lang_source){ lang_arena_strdup(ctx->arena, name), text, len };
	f->dir = dir_of(ctx->arena, name);
	f->real = real ? lang_arena_strdup(ctx->arena, real) : NULL;
	struct lang_file **tail = &ctx->files;
	while (*tail)
		tail = &(*tail)->next;
	*tail = f;
	return f;
}

static int load_bases(struct lang_ctx *ctx, struct lang_file *f);

/* Parses f and, recursively, what it builds on. Returns syntax errors seen. */
static int
parse_file(struct lang_ctx *ctx, struct lang_file *f)
{
	struct lang_parse ps = { .arena = ctx->arena, .diags = &ctx->diags, .src = &f->src, .mode = LANG_PARSE_FILE };
	int errors = lang_parse_run(&ps);
	f->decls = ps.decls;
	if (lang_diags_full(&ctx->diags))
		return errors;
	return errors + load_bases(ctx, f);
}

/* dir/NAME.policy if it can be read: malloc'd, or NULL. */
static char *
try_path(const char *dir, const char *name)
{
	size_t len = strlen(dir) + strlen(name) + 9;
	char *path = base_xrealloc(NULL, len);
	snprintf(path, len, "%s/%s.policy", dir, name);
	if (access(path, R_OK) == 0)
		return path;
	free(path);
	return NULL;
}

char *
lang_find_policy(const char *name, const char *dir, const struct lang_options *opt)
{
	/* a plain name only: `builds on` never reaches outside the policy folders */
	if (!name[0] || strchr(name, '/'))
		return NULL;
	char *path = try_path(dir, name);
	for (size_t i = 0; !path && opt->include_dirs && i < opt->ninclude; i++)
		path = try_path(opt->include_dirs[i], name);
	return path;
}

static int
load_bases(struct lang_ctx *ctx, struct lang_file *f)
{
	int errors = 0;
	for (struct lang_decl *d = f->decls; d; d = d->next) {
		if (d->kind != LANG_D_BUILDS_ON)
			continue;
		if (f->base) {
			lang_error(&ctx->diags, d->loc, "a policy builds on one other policy only");
			errors++;
			continue;
		}
		char *found = lang_find_policy(d->name, f->dir, ctx->opt);
		char *path = found ? lang_arena_strndup(ctx->arena, found, strlen(found)) : NULL;
		free(found);
		if (!path) {
			lang_error(&ctx->diags, d->name_loc, "cannot find the policy \"%s\": there is no %s.policy in "
			           "%s%s (give its folder with -I DIR)", d->name, d->name, f->dir,
			           ctx->opt->ninclude ? " or the policy folders (-I, $ATTEND_POLICY_PATH, the installed "
			                                "policies)" : "");
			errors++;
			continue;
		}
		char real[PATH_MAX];
		const char *canon = realpath(path, real) ? real : path;
		struct lang_file *seen = NULL;
		for (struct lang_file *o = ctx->files; o; o = o->next)
			if (o->real && strcmp(o->real, canon) == 0)
				seen = o;
		if (seen && seen->loading) {
			lang_error(&ctx->diags, d->name_loc, "\"%s\" builds on itself: %s is already being loaded",
			           d->name, seen->src.name);
			errors++;
			continue;
		}
		if (seen) {
			f->base = seen;
			continue;
		}
		size_t len = 0;
		char *text = read_all(ctx->arena, path, &len);
		if (!text) {
			lang_error(&ctx->diags, d->name_loc, "cannot read %s: %s", path, strerror(errno));
			errors++;
			continue;
		}
		struct lang_file *base = add_file(ctx, path, text, len, canon);
		f->base = base;
		f->loading = 1;
		base->loading = 1;
		errors += parse_file(ctx, base);
		base->loading = 0;
		f->loading = 0;
	}
	return errors;
}

static int
compile(struct lang_ctx *ctx, struct rt_program **out)
{
	ctx->main->loading = 1;
	int errors = parse_file(ctx, ctx->main);
	ctx->main->loading = 0;
	/* After syntax errors the tree is partial: checking it would only add noise. */
	if (errors == 0 && ctx->diags.nerrors == 0)
		lang_check(ctx);
	if (ctx->diags.nerrors == 0 && ctx->report && ctx->report->lint)
		lang_lint(ctx);
	if (ctx->diags.nerrors == 0 && out)
		*out = lang_codegen(ctx);
	return ctx->diags.nerrors;
}

static int
run(const char *name, char *text, size_t len, const char *real, const struct lang_options *opt,
    const struct lang_report_options *rep, struct rt_program **out, struct lang_arena *arena)
{
	static const struct lang_options defaults = { NULL, 0, NULL, 0, 0 };
	if (!opt)
		opt = &defaults;
	struct lang_ctx ctx = { .arena = arena, .opt = opt, .report = rep };
	lang_diags_init(&ctx.diags, opt->max_errors);
	if (out)
		*out = NULL;
	int errors;
	if (!text) {
		struct lang_source *src = lang_arena_alloc(arena, sizeof *src);
		*src = (struct lang_source){ lang_arena_strdup(arena, name), NULL, 0 };
		lang_error(&ctx.diags, (struct lang_loc){ src, 0, 0, 0, 0 }, "cannot read the policy: %s",
		           strerror(errno));
		errors = 1;
	} else {
		ctx.main = add_file(&ctx, name, text, len, real);
		errors = compile(&ctx, out);
	}
	if (rep && rep->findings)
		lang_diags_to_findings(&ctx.diags, rep->findings);
	else
		lang_diags_print(&ctx.diags, opt->diag ? opt->diag : stderr, opt->color);
	lang_diags_free(&ctx.diags);
	lang_arena_free(arena);
	return errors;
}

int
lang_compile_file_report(const char *path, const struct lang_options *opt, const struct lang_report_options *rep,
                         struct rt_program **out)
{
	struct lang_arena *arena = lang_arena_new();
	size_t len = 0;
	char *text = read_all(arena, path, &len);
	char real[PATH_MAX];
	return run(path, text, len, text && realpath(path, real) ? real : NULL, opt, rep, out, arena);
}

int
lang_compile_string_report(const char *name, const char *text, size_t len, const struct lang_options *opt,
                           const struct lang_report_options *rep, struct rt_program **out)
{
	struct lang_arena *arena = lang_arena_new();
	char *copy = lang_arena_strndup(arena, text ? text : "", text ? len : 0);
	return run(name ? name : "<input>", copy, text ? len : 0, NULL, opt, rep, out, arena);
}

int
lang_compile_file(const char *path, const struct lang_options *opt, struct rt_program **out)
{
	return lang_compile_file_report(path, opt, NULL, out);
}

int
lang_compile_string(const char *name, const char *text, size_t len, const struct lang_options *opt,
                    struct rt_program **out)
{
	return lang_compile_string_report(name, text, len, opt, NULL, out);
}

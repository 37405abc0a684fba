/* The LA manifest: reading it, loading each policy once, opening each register. */
#include "runtime/tools/la.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime/register/store_csv.h"

struct la_cached_policy {
	char *path;
	struct rt_program *prog;  /* NULL when it failed to load */
};

enum { M_URN, M_POLICY, M_REGISTER, M_NAME, M__COUNT };
static const char *const columns[M__COUNT] = { "urn", "policy", "register", "name" };

static void
manifest_problem(struct tool_la *la, long line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
manifest_problem(struct tool_la *la, long line, const char *fmt, ...)
{
	va_list ap;
	fprintf(la->diag, "%s:%ld: ", la->path, line);
	va_start(ap, fmt);
	vfprintf(la->diag, fmt, ap);
	va_end(ap);
	fputc('\n', la->diag);
	la->errors++;
}

void
tool_la_problem(struct tool_la *la, struct tool_la_school *s, const char *fmt, ...)
{
	va_list ap;
	fprintf(la->diag, "%s:%ld: %s: ", la->path, s->line, s->urn);
	va_start(ap, fmt);
	vfprintf(la->diag, fmt, ap);
	va_end(ap);
	fputc('\n', la->diag);
	if (!s->failed)
		la->errors++;
	s->failed = 1;
}

/* `file` as written in the manifest, relative to the manifest's folder. */
static char *
resolve(const char *manifest, const char *file)
{
	const char *slash = strrchr(manifest, '/');
	if (file[0] == '/' || !slash)
		return strdup(file);
	size_t dir = (size_t)(slash - manifest) + 1, len = strlen(file);
	char *out = malloc(dir + len + 1);
	if (out) {
		memcpy(out, manifest, dir);
		memcpy(out + dir, file, len + 1);
	}
	return out;
}

/* Which field holds each column; -1 (reported) on an unknown or missing one. */
static int
read_header(struct tool_la *la, struct reg_csv *csv, int *col)
{
	for (int c = 0; c < M__COUNT; c++)
		col[c] = -1;
	for (size_t i = 0; i < csv->nfields && i < REG_CSV_MAX_FIELDS; i++) {
		char *h = csv->field[i].s;
		for (char *p = h; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		int c = 0;
		while (c < M__COUNT && strcmp(h, columns[c]) != 0)
			c++;
		if (c == M__COUNT || col[c] >= 0) {
			manifest_problem(la, csv->line, "header: %s column \"%s\" (the columns are urn, policy, register, name)",
			                 c == M__COUNT ? "unknown" : "repeated", h);
			return -1;
		}
		col[c] = (int)i;
	}
	if (col[M_URN] < 0 || col[M_POLICY] < 0) {
		manifest_problem(la, csv->line, "header: a manifest needs the columns urn and policy");
		return -1;
	}
	return 0;
}

static const char *
field(const struct reg_csv *csv, int col)
{
	return col >= 0 && (size_t)col < csv->nfields ? csv->field[col].s : "";
}

static int
valid_urn(const char *s)
{
	size_t n = 0;
	while (isdigit((unsigned char)s[n]))
		n++;
	return n == 6 && !s[6];
}

/* Adds the school of the current record, or reports why not. */
static int
add_school(struct tool_la *la, const struct reg_csv *csv, const int *col, size_t *cap)
{
	const char *urn = field(csv, col[M_URN]), *policy = field(csv, col[M_POLICY]);
	if (!valid_urn(urn)) {
		manifest_problem(la, csv->line, "urn: \"%s\" is not a URN (6 digits)", urn);
		return 0;
	}
	for (size_t i = 0; i < la->n; i++)
		if (strcmp(la->schools[i].urn, urn) == 0) {
			manifest_problem(la, csv->line, "urn: school %s is listed twice (first on line %ld)", urn,
			                 la->schools[i].line);
			return 0;
		}
	if (!policy[0]) {
		manifest_problem(la, csv->line, "policy: school %s has no policy", urn);
		return 0;
	}
	if (la->n == *cap) {
		*cap = *cap ? 2 * *cap : 64;
		void *grown = realloc(la->schools, *cap * sizeof *la->schools);
		if (!grown)
			return -1;
		la->schools = grown;
	}
	struct tool_la_school *s = &la->schools[la->n++];
	memset(s, 0, sizeof *s);
	snprintf(s->urn, sizeof s->urn, "%s", urn);
	s->line = csv->line;
	s->policy = resolve(la->path, policy);
	const char *reg = field(csv, col[M_REGISTER]), *name = field(csv, col[M_NAME]);
	s->reg = reg[0] ? resolve(la->path, reg) : NULL;
	s->name = name[0] ? strdup(name) : NULL;
	return s->policy && (!reg[0] || s->reg) && (!name[0] || s->name) ? 0 : -1;
}

static int
read_rows(struct tool_la *la, struct reg_csv *csv)
{
	int col[M__COUNT], rc = reg_csv_next(csv);
	if (rc == 0)
		manifest_problem(la, 1, "the manifest is empty (it needs a header: urn,policy[,register][,name])");
	if (rc == -1)
		manifest_problem(la, csv->line, "header: %s", csv->error);
	if (rc != 1 || read_header(la, csv, col))
		return -1;
	size_t cap = 0;
	while ((rc = reg_csv_next(csv)) != 0) {
		if (rc == -2)
			return -1;
		if (rc == -1) {
			manifest_problem(la, csv->line, "%s", csv->error);
			continue;
		}
		if (csv->field[0].s[0] == '#')
			continue;         /* a comment */
		if (add_school(la, csv, col, &cap))
			return -1;
	}
	return 0;
}

int
tool_la_open(const char *path, tool_la_loader load, void *ctx, FILE *diag, struct tool_la *la)
{
	memset(la, 0, sizeof *la);
	la->diag = diag;
	la->load = load;
	la->load_ctx = ctx;
	if (!(la->path = strdup(path)))
		return -1;
	struct reg_csv csv;
	if (reg_csv_open(&csv, path)) {
		fprintf(diag, "attend: cannot read the manifest %s: %s\n", path, strerror(errno));
		return -1;
	}
	int rc = read_rows(la, &csv);
	if (rc && errno && !la->errors)
		fprintf(diag, "attend: cannot read the manifest %s: %s\n", path, strerror(errno));
	reg_csv_close(&csv);
	return rc;
}

void
tool_la_close(struct tool_la *la)
{
	for (size_t i = 0; i < la->n; i++) {
		free(la->schools[i].name);
		free(la->schools[i].policy);
		free(la->schools[i].reg);
	}
	for (size_t i = 0; i < la->ncache; i++) {
		rt_program_free(la->cache[i].prog);
		free(la->cache[i].path);
	}
	free(la->cache);
	free(la->schools);
	free(la->path);
	memset(la, 0, sizeof *la);
}

int
tool_la_only(struct tool_la *la, const char *urn)
{
	int found = 0;
	for (size_t i = 0; i < la->n; i++) {
		la->schools[i].skip = strcmp(la->schools[i].urn, urn) != 0;
		found |= !la->schools[i].skip;
	}
	if (!found)
		fprintf(la->diag, "attend: %s lists no school %s\n", la->path, urn);
	return !found;
}

int
tool_la_policy(struct tool_la *la, struct tool_la_school *s)
{
	for (size_t i = 0; i < la->ncache; i++)
		if (strcmp(la->cache[i].path, s->policy) == 0) {
			s->prog = la->cache[i].prog;
			if (!s->prog)
				tool_la_problem(la, s, "policy %s could not be used (above)", s->policy);
			return s->prog ? 0 : -1;
		}
	void *grown = realloc(la->cache, (la->ncache + 1) * sizeof *la->cache);
	if (!grown)
		return -1;
	la->cache = grown;
	struct la_cached_policy *c = &la->cache[la->ncache];
	if (!(c->path = strdup(s->policy)))
		return -1;
	la->ncache++;
	c->prog = NULL;
	if (access(s->policy, R_OK) != 0)
		tool_la_problem(la, s, "policy %s: %s", s->policy, strerror(errno));
	else if (la->load(la->load_ctx, s->policy, &c->prog) != 0) {
		c->prog = NULL;
		tool_la_problem(la, s, "policy %s could not be used (above)", s->policy);
	}
	s->prog = c->prog;
	return s->prog ? 0 : -1;
}

/* The register must be this school's, and the school must have a calendar. */
static int
check_register(struct tool_la *la, struct tool_la_school *s, struct reg_store *store)
{
	struct reg_school school;
	/* A register may hold several schools: the manifest's URN picks this one. */
	int rc = reg_use_school(store, s->urn) ? -1 : reg_school_get(store, &school);
	if (rc < 0) {
		/* Not there: a register of one school says which it is instead. */
		char why[512];
		snprintf(why, sizeof why, "%s", reg_error(store));
		if (reg_use_school(store, NULL) || (rc = reg_school_get(store, &school)) < 0) {
			tool_la_problem(la, s, "%s", why);
			return -1;
		}
	}
	if (rc == 0 || strcmp(school.urn, s->urn) != 0) {
		if (rc == 0)
			tool_la_problem(la, s, "register %s names no school (import urn,name[,laestab][,phase] into it)",
			                s->reg);
		else
			tool_la_problem(la, s, "register %s is school %s (%s), not %s", s->reg, school.urn, school.name,
			                s->urn);
		return -1;
	}
	if (!s->name && !(s->name = strdup(school.name)))
		return -1;
	int has = reg_has_calendar(store);
	if (has < 0) {
		tool_la_problem(la, s, "%s", reg_error(store));
		return -1;
	}
	if (!has) {
		tool_la_problem(la, s, "register %s has no calendar (import the school's half terms)", s->reg);
		return -1;
	}
	return 0;
}

int
tool_la_register(struct tool_la *la, struct tool_la_school *s, int writable, struct reg_store **out)
{
	*out = NULL;
	if (!s->reg) {
		tool_la_problem(la, s, "the manifest gives no register for this school");
		return -1;
	}
	struct reg_store *store;
	if (access(s->reg, R_OK) != 0) {
		tool_la_problem(la, s, "register %s: %s", s->reg, strerror(errno));
		return -1;
	}
	if (reg_open(s->reg, writable ? 0 : REG_READONLY, &store) || check_register(la, s, store)) {
		if (store && !s->failed)
			tool_la_problem(la, s, "%s", reg_error(store));
		reg_close(store);
		return -1;
	}
	*out = store;
	return 0;
}

int
tool_la_status(const struct tool_la *la)
{
	return la->errors ? 1 : 0;
}

/*
 * Findings in four formats (docs/formats.md). Writers are deterministic:
 * findings come out in the order they were added, so golden files are stable.
 */
#include "runtime/base/findings.h"
#include "runtime/base/memory.h"
#include "runtime/base/text.h"

#include <stdlib.h>
#include <string.h>

#define COLOR_BOLD  "\033[1m"
#define COLOR_RED   "\033[1;31m"
#define COLOR_MAG   "\033[1;35m"
#define COLOR_CYAN  "\033[1;36m"
#define COLOR_GREEN "\033[1;32m"
#define COLOR_RESET "\033[0m"

#include "runtime/base/version.h"

#define SARIF_SCHEMA "https://json.schemastore.org/sarif-2.1.0.json"

static char *
xstrdup(const char *s)
{
	return s ? base_xstrdup(s) : NULL;
}

void
base_findings_add(struct base_findings *f, const char *file, unsigned line, unsigned column, unsigned end_column,
                enum base_finding_level level, const char *rule, const char *message)
{
	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 16;
		f->items = base_xrealloc(f->items, f->cap * sizeof *f->items);
	}
	f->items[f->n++] = (struct base_finding){
		.file = xstrdup(file),
		.line = line,
		.column = column,
		.end_column = end_column,
		.level = level,
		.rule = xstrdup(rule ? rule : "error"),
		.message = xstrdup(message ? message : ""),
	};
}

size_t
base_findings_count(const struct base_findings *f, enum base_finding_level level)
{
	size_t n = 0;
	for (size_t i = 0; i < f->n; i++)
		if (f->items[i].level == level)
			n++;
	return n;
}

void
base_findings_free(struct base_findings *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->items[i].file);
		free(f->items[i].rule);
		free(f->items[i].message);
	}
	free(f->items);
	f->items = NULL;
	f->n = f->cap = 0;
}

int
base_findings_format_parse(const char *name, enum base_findings_format *out)
{
	static const struct {
		const char *name;
		enum base_findings_format format;
	} formats[] = {
		{ "text", BASE_FINDINGS_TEXT }, { "json", BASE_FINDINGS_JSON },
		{ "sarif", BASE_FINDINGS_SARIF }, { "github", BASE_FINDINGS_GITHUB },
	};
	for (size_t i = 0; name && i < sizeof formats / sizeof formats[0]; i++)
		if (strcmp(name, formats[i].name) == 0) {
			*out = formats[i].format;
			return 0;
		}
	return -1;
}

static int
is_continuation(unsigned char c)
{
	return (c & 0xC0) == 0x80;
}

void
base_findings_excerpt(FILE *out, const char *line, size_t len, unsigned first_column, unsigned last_column,
                    int color)
{
	for (size_t i = 0; i < len; i++)
		fputc(line[i] == '\0' ? ' ' : line[i], out);
	fputc('\n', out);
	/* Tabs are copied so that the caret lines up whatever the tab width. */
	unsigned col = 1, last = last_column;
	size_t i = 0;
	for (; i < len && col < first_column; i++) {
		if (is_continuation((unsigned char)line[i]))
			continue;
		fputc(line[i] == '\t' ? '\t' : ' ', out);
		col++;
	}
	if (last_column == 0) {
		last = col;
		for (size_t j = i; j < len; j++)
			if (!is_continuation((unsigned char)line[j]))
				last++;
	}
	if (color)
		fputs(COLOR_GREEN, out);
	fputc('^', out);
	for (unsigned c = col + 1; c < last; c++)
		fputc('~', out);
	if (color)
		fputs(COLOR_RESET, out);
	fputc('\n', out);
}

/* A file's text, read once per file while writing (findings come grouped by file). */
struct source_cache {
	char *name;
	char *text;
	size_t len;
};

static const char *
cached_line(struct source_cache *c, const char *file, unsigned line, size_t *len)
{
	if (!file)
		return NULL;
	if (!c->name || strcmp(c->name, file) != 0) {
		free(c->name);
		free(c->text);
		c->name = xstrdup(file);
		c->text = NULL;
		c->len = 0;
		c->text = base_read_file(file, 0, &c->len); /* NULL when unreadable: no excerpt */
	}
	if (!c->text)
		return NULL;
	return base_text_line(c->text, c->len, line, len);
}

static const char *const level_name[] = { "error", "warning", "note" };

static void
write_text(const struct base_findings *f, int color, FILE *out)
{
	static const char *const tint[] = { COLOR_RED, COLOR_MAG, COLOR_CYAN };
	struct source_cache cache = { 0 };
	for (size_t i = 0; i < f->n; i++) {
		const struct base_finding *g = &f->items[i];
		char where[64] = "";
		if (g->line && g->column)
			snprintf(where, sizeof where, ":%u:%u", g->line, g->column);
		else if (g->line)
			snprintf(where, sizeof where, ":%u", g->line);
		const char *file = g->file ? g->file : "attend";
		if (color)
			fprintf(out, COLOR_BOLD "%s%s: " COLOR_RESET "%s%s:" COLOR_RESET " " COLOR_BOLD "%s" COLOR_RESET
			        " [%s]\n", file, where, tint[g->level], level_name[g->level], g->message, g->rule);
		else
			fprintf(out, "%s%s: %s: %s [%s]\n", file, where, level_name[g->level], g->message, g->rule);
		size_t len;
		const char *line = g->line ? cached_line(&cache, g->file, g->line, &len) : NULL;
		if (line)
			base_findings_excerpt(out, line, len, g->column ? g->column : 1,
			                    g->column && g->end_column >= g->column ? g->end_column + 1 : 0, color);
	}
	free(cache.name);
	free(cache.text);
}


static void
write_json(const struct base_findings *f, FILE *out)
{
	fputs("{\n  \"tool\": \"attend\",\n  \"format\": 1,\n  \"command\": ", out);
	base_json_string(out, f->tool_command ? f->tool_command : "");
	fputs(",\n  \"findings\": [", out);
	for (size_t i = 0; i < f->n; i++) {
		const struct base_finding *g = &f->items[i];
		fputs(i ? ",\n    {" : "\n    {", out);
		fputs("\"file\": ", out);
		if (g->file)
			base_json_string(out, g->file);
		else
			fputs("null", out);
		fprintf(out, ", \"line\": %u, \"column\": %u, \"end_column\": %u, \"level\": \"%s\", \"rule\": ", g->line,
		        g->column, g->end_column, level_name[g->level]);
		base_json_string(out, g->rule);
		fputs(", \"message\": ", out);
		base_json_string(out, g->message);
		fputc('}', out);
	}
	fprintf(out, "%s],\n  \"counts\": {\"error\": %zu, \"warning\": %zu, \"note\": %zu}\n}\n", f->n ? "\n  " : "",
	        base_findings_count(f, BASE_FINDING_ERROR), base_findings_count(f, BASE_FINDING_WARNING),
	        base_findings_count(f, BASE_FINDING_NOTE));
}

/* A path as a URI: a relative path is a relative reference; an absolute one
 * becomes a file:// URI. Unreserved characters and '/' stay, the rest are escaped. */
static void
uri(FILE *out, const char *path)
{
	fputc('"', out);
	if (path[0] == '/')
		fputs("file://", out);
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("-._~/", *p))
			fputc(*p, out);
		else
			fprintf(out, "%%%02X", *p);
	}
	fputc('"', out);
}

/* A URL into the documentation: page, then "#anchor" when given. */
static void
docs_url(char *buf, size_t size, const char *page, const char *anchor)
{
	snprintf(buf, size, "%s%s%s%s", base_findings_docs_url(), page, anchor ? "#" : "", anchor ? anchor : "");
}

/* "unknown-placeholder" -> "UnknownPlaceholder": SARIF's friendly name of a rule. */
static void
pascal_name(const char *rule, char *name, size_t size)
{
	size_t k = 0;
	for (int up = 1; *rule && k + 1 < size; rule++) {
		if (*rule == '-' || *rule == '_') {
			up = 1;
			continue;
		}
		name[k++] = up && *rule >= 'a' && *rule <= 'z' ? (char)(*rule - 'a' + 'A') : *rule;
		up = 0;
	}
	name[k] = 0;
}

/* , "member": {"text": TEXT} */
static void
json_text_member(FILE *out, const char *member, const char *text)
{
	fprintf(out, ", \"%s\": {\"text\": ", member);
	base_json_string(out, text);
	fputc('}', out);
}

/* A rule's metadata: its names, descriptions and where the documentation explains it. */
static void
sarif_rule(FILE *out, const char *rule)
{
	static const struct base_rule_group unknown = { "formats.md", "other-rule-names", "" };
	struct base_rule_info info = { rule, &unknown };
	base_findings_rule(rule, &info);
	char page[64], url[512], name[128], full[1024], help[2048];
	snprintf(page, sizeof page, "docs/%s", info.group->page);
	docs_url(url, sizeof url, page, info.group->anchor);
	pascal_name(rule, name, sizeof name);
	snprintf(full, sizeof full, "%s. %s", info.text, info.group->full);
	fputs("{\"id\": ", out);
	base_json_string(out, rule);
	fputs(", \"name\": ", out);
	base_json_string(out, name);
	json_text_member(out, "shortDescription", info.text);
	json_text_member(out, "fullDescription", full);
	fputs(", \"help\": {\"text\": ", out);
	snprintf(help, sizeof help, "%s See %s, '%s'.", full, page, rule);
	base_json_string(out, help);
	fputs(", \"markdown\": ", out);
	snprintf(help, sizeof help, "%s See [%s](%s), `%s`.", full, page, url, rule);
	base_json_string(out, help);
	fputs("}, \"helpUri\": ", out);
	base_json_string(out, url);
	fputc('}', out);
}

/* One run object of a SARIF log; `extra` (may be NULL) is added to its properties. */
static void
sarif_run(const struct base_findings *f, const char *extra, FILE *out)
{
	/* rules[]: each distinct rule once, in order of first appearance. */
	const char **rules = base_xrealloc(NULL, (f->n + 1) * sizeof *rules);
	size_t nrules = 0;
	size_t *rule_index = base_xrealloc(NULL, (f->n + 1) * sizeof *rule_index);
	for (size_t i = 0; i < f->n; i++) {
		size_t r;
		for (r = 0; r < nrules; r++)
			if (strcmp(rules[r], f->items[i].rule) == 0)
				break;
		if (r == nrules)
			rules[nrules++] = f->items[i].rule;
		rule_index[i] = r;
	}
	fputs("    {\n", out);
	char home[512];
	docs_url(home, sizeof home, "README.md", NULL);
	fputs("      \"tool\": {\n        \"driver\": {\n          \"name\": \"attend\",\n"
	      "          \"version\": \"" BASE_VERSION "\",\n          \"informationUri\": ", out);
	base_json_string(out, home);
	fputs(",\n          \"rules\": [", out);
	for (size_t r = 0; r < nrules; r++) {
		fputs(r ? ",\n            " : "\n            ", out);
		sarif_rule(out, rules[r]);
	}
	fprintf(out, "%s]\n        }\n      },\n", nrules ? "\n          " : "");
	fputs("      \"results\": [", out);
	for (size_t i = 0; i < f->n; i++) {
		const struct base_finding *g = &f->items[i];
		fputs(i ? ",\n        {" : "\n        {", out);
		fputs("\"ruleId\": ", out);
		base_json_string(out, g->rule);
		fprintf(out, ", \"ruleIndex\": %zu, \"level\": \"%s\", \"message\": {\"text\": ", rule_index[i],
		        level_name[g->level]);
		base_json_string(out, g->message);
		fputs("}, \"locations\": [", out);
		if (g->file) {
			fputs("{\"physicalLocation\": {\"artifactLocation\": {\"uri\": ", out);
			uri(out, g->file);
			fputc('}', out);
			if (g->line) {
				fprintf(out, ", \"region\": {\"startLine\": %u", g->line);
				if (g->column)
					fprintf(out, ", \"startColumn\": %u", g->column);
				/* SARIF's endColumn is one past the region; ours is its last column. */
				if (g->column && g->end_column >= g->column)
					fprintf(out, ", \"endColumn\": %u", g->end_column + 1);
				fputc('}', out);
			}
			fputs("}}", out);
		}
		fputs("]}", out);
	}
	fprintf(out, "%s],\n", f->n ? "\n      " : "");
	fputs("      \"properties\": {\"command\": ", out);
	base_json_string(out, f->tool_command ? f->tool_command : "");
	fprintf(out, "%s}\n    }", extra ? extra : "");
	free(rules);
	free(rule_index);
}

/* Workflow commands: data escapes % CR LF; property values also ':' and ','. */
void
base_findings_write_sarif_runs(const struct base_findings *const *runs, const char *const *extra, size_t n, FILE *out)
{
	fputs("{\n  \"$schema\": \"" SARIF_SCHEMA "\",\n  \"version\": \"2.1.0\",\n  \"runs\": [\n", out);
	for (size_t i = 0; i < n; i++) {
		if (i)
			fputs(",\n", out);
		sarif_run(runs[i], extra ? extra[i] : NULL, out);
	}
	fputs("\n  ]\n}\n", out);
}

static void
write_sarif(const struct base_findings *f, FILE *out)
{
	base_findings_write_sarif_runs(&f, NULL, 1, out);
}

static void
github_escape(FILE *out, const char *s, int property)
{
	for (; *s; s++) {
		if (*s == '%')
			fputs("%25", out);
		else if (*s == '\r')
			fputs("%0D", out);
		else if (*s == '\n')
			fputs("%0A", out);
		else if (property && *s == ':')
			fputs("%3A", out);
		else if (property && *s == ',')
			fputs("%2C", out);
		else
			fputc(*s, out);
	}
}

static void
write_github(const struct base_findings *f, FILE *out)
{
	static const char *const command[] = { "error", "warning", "notice" };
	for (size_t i = 0; i < f->n; i++) {
		const struct base_finding *g = &f->items[i];
		fprintf(out, "::%s ", command[g->level]);
		if (g->file) {
			fputs("file=", out);
			github_escape(out, g->file, 1);
			fputc(',', out);
		}
		if (g->line)
			fprintf(out, "line=%u,", g->line);
		if (g->line && g->column)
			fprintf(out, "col=%u,", g->column);
		if (g->line && g->column && g->end_column >= g->column)
			fprintf(out, "endColumn=%u,", g->end_column);
		fputs("title=", out);
		github_escape(out, g->rule, 1);
		fputs("::", out);
		github_escape(out, g->message, 0);
		fputc('\n', out);
	}
}

void
base_findings_write(const struct base_findings *f, enum base_findings_format format, int color, FILE *out)
{
	switch (format) {
	case BASE_FINDINGS_TEXT: write_text(f, color, out); break;
	case BASE_FINDINGS_JSON: write_json(f, out); break;
	case BASE_FINDINGS_SARIF: write_sarif(f, out); break;
	case BASE_FINDINGS_GITHUB: write_github(f, out); break;
	}
}

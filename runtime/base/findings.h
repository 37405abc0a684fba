/*
 * Findings: what check, lint, validate and test report, in one shape, written
 * in four formats (findings.c): text (GCC-style, with the source line and a
 * caret when the file can be read, colour on a terminal), JSON, SARIF 2.1.0,
 * and GitHub Actions workflow annotations. Documented in docs/attend.1 and
 * docs/formats.md.
 */
#ifndef BASE_FINDINGS_H
#define BASE_FINDINGS_H

#include <stddef.h>
#include <stdio.h>

enum base_finding_level { BASE_FINDING_ERROR, BASE_FINDING_WARNING, BASE_FINDING_NOTE };

enum base_findings_format { BASE_FINDINGS_TEXT, BASE_FINDINGS_JSON, BASE_FINDINGS_SARIF, BASE_FINDINGS_GITHUB };

struct base_finding {
	char *file;        /* path as given, or NULL */
	unsigned line;     /* 1-based, 0 when not about a line */
	unsigned column;   /* 1-based, 0 when unknown */
	unsigned end_column; /* last column of the span (inclusive), 0 when unknown */
	enum base_finding_level level;
	char *rule;        /* stable name: "syntax", "unknown-name", "unreachable-stage", "fine-amount", ... */
	char *message;
};

struct base_findings {
	struct base_finding *items;
	size_t n, cap;
	const char *tool_command; /* "check", "lint", ... (SARIF run properties) */
};

/* Appends a finding (strings are copied). */
void base_findings_add(struct base_findings *f, const char *file, unsigned line, unsigned column, unsigned end_column,
                     enum base_finding_level level, const char *rule, const char *message);
size_t base_findings_count(const struct base_findings *f, enum base_finding_level level);
void base_findings_free(struct base_findings *f);

/* Parses "text", "json", "sarif", "github". 0 on success. */
int base_findings_format_parse(const char *name, enum base_findings_format *out);

/* Writes every finding in the format; `color` only affects text. */
void base_findings_write(const struct base_findings *f, enum base_findings_format format, int color, FILE *out);

/* A SARIF log with one run per findings list (a local authority's schools);
 * extra[i], when not NULL, is JSON members added to run i's properties
 * (", \"urn\": \"100001\""). */
void base_findings_write_sarif_runs(const struct base_findings *const *runs, const char *const *extra, size_t n,
                                    FILE *out);

/* Prints a source line (without its newline) and a caret line under columns
 * [first_column, last_column); last_column 0 underlines to the end of the
 * line. Shared with the compiler's own diagnostics (lang/diag.c). */
void base_findings_excerpt(FILE *out, const char *line, size_t len, unsigned first_column, unsigned last_column,
                         int color);

/* Where a group of rules is documented (a page under the docs URL and an
 * anchor), and what every rule of the group has in common (findings_rules.c). */
struct base_rule_group {
	const char *page, *anchor;
	const char *full;
};
struct base_rule_info {
	const char *text;             /* one line */
	const struct base_rule_group *group;
};
/* The rule's description; 0 when the rule is not known. */
int base_findings_rule(const char *rule, struct base_rule_info *out);
/* A one-line description of a rule name, for SARIF; NULL when unknown. */
const char *base_findings_rule_description(const char *rule);
/* Where the documentation is published, ending in '/' (runtime/base/version.h). */
const char *base_findings_docs_url(void);

#endif

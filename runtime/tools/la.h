/*
 * A local authority's schools in one command (docs/la.md). A manifest lists
 * the schools, each with its policy and, optionally, its register:
 *
 *   urn,policy,register,name
 *   100001,policies/kildwick.policy,registers/100001.db,Kildwick CE Primary
 *
 * Paths are relative to the manifest's folder. Every problem with one school
 * is reported as "MANIFEST:LINE: ..." and the other schools are still
 * processed; the commands then return 1.
 *
 * The tools layer cannot compile policies (the compiler sits beside the
 * machine), so the caller hands in a loader; each distinct policy file is
 * loaded once.
 */
#ifndef TOOL_LA_H
#define TOOL_LA_H

#include <stdio.h>

#include "runtime/base/findings.h"
#include "runtime/engine/outcome.h"
#include "runtime/machine/date.h"
#include "runtime/machine/program.h"
#include "runtime/register/store.h"

/* Compiles or loads `path`; 0 with *out set, else non-zero with the reason reported. */
typedef int (*tool_la_loader)(void *ctx, const char *path, struct rt_program **out);

struct tool_la_school {
	char urn[8];
	char *name;               /* from the manifest, else the register's, else the policy's */
	char *policy;             /* as resolved against the manifest's folder */
	char *reg;                /* NULL when the manifest gives no register */
	long line;                /* the manifest line */
	struct rt_program *prog;  /* borrowed from the cache; NULL until loaded, or when it failed */
	int failed;               /* a problem was reported for this school */
	int skip;                 /* left out by --school (its notices still count) */
};

struct tool_la {
	char *path;               /* the manifest */
	struct tool_la_school *schools;
	size_t n;
	long errors;              /* problems reported (lines skipped, schools failed) */
	FILE *diag;
	tool_la_loader load;
	void *load_ctx;
	struct la_cached_policy *cache;
	size_t ncache;
};

/*
 * Reads a manifest. A bad line is reported and skipped (counted in
 * la->errors); -1 when the file cannot be read or has no usable header.
 */
int tool_la_open(const char *path, tool_la_loader load, void *ctx, FILE *diag, struct tool_la *la);
void tool_la_close(struct tool_la *la);

/* Works on the school `urn` alone: the others are skipped, though their notices
 * still count for a child who moved. 1 (reported) when the manifest has no such school. */
int tool_la_only(struct tool_la *la, const char *urn);

/* Reports a problem with a school: "MANIFEST:LINE: URN: message", and marks it failed. */
void tool_la_problem(struct tool_la *la, struct tool_la_school *s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Loads the school's policy (once per file); 0, or -1 with the problem reported. */
int tool_la_policy(struct tool_la *la, struct tool_la_school *s);

/* Opens the school's register (read-only unless `writable`), checks it is this
 * school's and has a calendar; 0, or -1 with the problem reported. */
int tool_la_register(struct tool_la *la, struct tool_la_school *s, int writable, struct reg_store **out);

/* The result of a command over the schools: 0, or 1 when anything was reported. */
int tool_la_status(const struct tool_la *la);

/* ---- validate every policy (la_validate.c) ---- */

enum tool_la_findings_format { TOOL_LA_TEXT, TOOL_LA_JSON, TOOL_LA_SARIF, TOOL_LA_CSV };

/* Validates every school's policy against `baseline` on `on` (validate.h) and
 * writes one report: a summary per school (text), JSON lines, SARIF with one
 * run per school, or CSV; each names the school. 0, 1 (findings or problems),
 * -1 when the report could not be written. */
int tool_la_validate(struct tool_la *la, const struct rt_program *baseline, const char *baseline_path, rt_date on,
                     enum tool_la_findings_format format, FILE *out);

/* ---- run every policy (la_run.c) ---- */

/* Runs every school's policy over its register as of `as_of` and writes one
 * report (engine format: 0 text, 1 JSON lines, 2 CSV) whose every record
 * names its URN, evaluating `threads` schools at once (each into a buffer of
 * its own, written in manifest order). 0, 1 (problems, or data a policy
 * cannot evaluate), -1. */
int tool_la_run(struct tool_la *la, rt_date as_of, int format, int threads, FILE *out);

/* ---- replay every school (la_replay.c) ---- */

/* Replays and records every school day from `from` to `to` for every school
 * (engine/replay.h), each under its own policy, `threads` schools at a time;
 * each school's summary, in manifest order, names its URN. 0, 1, -1. */
int tool_la_replay(struct tool_la *la, rt_date from, rt_date to, int threads, FILE *out);

/* ---- penalty notices across the authority (la_notices.c) ---- */

/* Every school's parents and notices (of one pupil when upn is not NULL),
 * indexed like la->schools; a school whose register cannot be read has none
 * (reported). Free with tool_la_penalties_free. */
struct reg_penalties *tool_la_penalties_load(struct tool_la *la, const char *upn);
void tool_la_penalties_free(struct tool_la *la, struct reg_penalties *all);

/* The notices of every school but `school` (an index), as the engine takes them; *n set. Free it. */
struct eng_elsewhere *tool_la_elsewhere(const struct tool_la *la, const struct reg_penalties *all, size_t school,
                                        size_t *n);

/* Issues a notice at school `urn` (eng_notice_issue), counting the notices the
 * child's other schools recorded. 0 issued, 1 refused or problems, -1. */
int tool_la_notice_issue(struct tool_la *la, const char *urn, const char *upn, const char *parent, rt_date date,
                         int force, FILE *out);

/* The authority's notice register, by school: issued, paid, withdrawn,
 * prosecuted, and overdue (issued and unpaid after its last payment window on
 * `as_of`). format: 0 text, 1 CSV. */
int tool_la_notices(struct tool_la *la, rt_date as_of, int format, FILE *out);

/* ---- the HTML report (la_report.c) ---- */

/* One self-contained HTML page: the authority's figures and weekly chart, a
 * table of the schools (lowest attendance first, linked), and per school its
 * figures, pupils at each stage, notices and weekly chart, from `from` to `as_of`. */
int tool_la_report(struct tool_la *la, rt_date from, rt_date as_of, FILE *out);

/* ---- the DfE figures (la_stats.c, engine/stats.h) ---- */

/* Per school (all, then each year group), then the LA (all, then each year
 * group), from `from` to `to`; format an enum eng_stats_format. 0, 1, -1. */
int tool_la_stats(struct tool_la *la, rt_date from, rt_date to, int format, FILE *out);

#endif

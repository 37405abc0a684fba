/*
 * A run: the evaluation loop (outcome.h) with its consumers. Each consumer
 * takes the outcomes one pupil at a time; a new output is a new consumer,
 * never a new mode of the loop. The consumers here: the report (text, JSON
 * lines, CSV), the explanation, the letters, the recorder (replay of the
 * as-of day), and the notice check in notices.c.
 */
#ifndef ENG_RUN_H
#define ENG_RUN_H

#include <stdio.h>

#include "runtime/base/out.h"
#include "runtime/engine/outcome.h"

struct eng_consumer {
	/* Each may be NULL. begin comes before the first outcome (or before end,
	 * for an empty register); end only when every pupil was evaluated. Each
	 * returns 0, 1 (findings) or -1 (a failure, reported). */
	int (*begin)(struct eng_consumer *self, const struct rt_program *prog);
	int (*pupil)(struct eng_consumer *self, const struct rt_program *prog, const struct eng_outcome *o);
	int (*end)(struct eng_consumer *self, const struct rt_program *prog);
	int tracing;                  /* reads ev->trace: the loop must keep it */
	struct eng_consumer *next;    /* another consumer of the same outcomes, or NULL */
};

/*
 * Evaluates every pupil (or params->upn) and hands each outcome to the chain
 * of consumers. Returns 0 when every pupil was evaluated; 1 when the register
 * holds data the policy cannot evaluate or a code out of its dates (each
 * reported on diag), or a consumer found something; ENG_NO_PUPIL when there
 * is no pupil params->upn (a usage error, reported); -1 on a failure
 * (reported on diag).
 */
enum { ENG_NO_PUPIL = 2 };
int eng_run(const struct rt_program *prog, struct reg_store *store, const struct eng_run_params *params,
            struct eng_consumer *consumers);

/* The number of jobs (params->jobs) when none is asked for: the processors online, at most 8. */
int eng_default_jobs(void);

/* The report: a table, JSON lines or CSV (report.c; docs/output.md). */
enum eng_format { ENG_FORMAT_TEXT, ENG_FORMAT_JSON, ENG_FORMAT_CSV };

struct eng_report {
	struct eng_consumer consumer;
	enum eng_format format;
	FILE *out;
	const char *urn;          /* set after init for a local authority's report: every record names the school */
	int no_header;            /* set after init: the CSV or text header was already written */
	/* private to report.c: CSV and JSON are formatted into buf; what is the
	 * same for every pupil is worked out once */
	int persistent_rule, severe_rule;   /* rule indexes of the two flags every report shows, or -1 */
	rt_date as_of;
	char as_of_text[11];
	struct base_out buf;
	struct eng_due_field {               /* the CSV from stage to letters, by the rules due: pupils at one stage share it */
		uint64_t due;                /* bit i: rule i is due; 0 with len 0: unused */
		int stage_rule;
		size_t len;
		char text[1024];
	} due_fields[8];
	unsigned next_due_field;             /* the one replaced next */
};
struct eng_consumer *eng_report_init(struct eng_report *r, enum eng_format format, FILE *out);

/* The explanation of each pupil in words (explain.c). */
enum eng_explain_format {
	ENG_EXPLAIN_TEXT,             /* words */
	ENG_EXPLAIN_JSON,             /* one JSON object per pupil (docs/output.md) */
	ENG_EXPLAIN_HTML              /* a page with the school year as a strip (explain_html.c) */
};
struct eng_explainer {
	struct eng_consumer consumer;
	FILE *out;
	enum eng_explain_format format;
};
struct eng_consumer *eng_explain_init(struct eng_explainer *e, FILE *out, enum eng_explain_format format);
/* The explanation as one self-contained HTML page (explain_html.c). 0, or -1 (out of memory). */
int eng_explain_html(const struct rt_program *prog, const struct eng_outcome *o, FILE *out);
/* The explanation as one JSON object on a line (explain_json.c). */
void eng_explain_json(const struct rt_program *prog, const struct eng_outcome *o, FILE *out);
/* The rules rule i's condition reads (its earlier decisions), at most max; how many. */
size_t eng_rule_rests_on(const struct rt_program *prog, size_t i, uint32_t *rules, size_t max);
/* One outcome's explanation; the outcome's ev must have been traced. */
void eng_explain_pupil(const struct rt_program *prog, const struct eng_outcome *o, FILE *out);

/* The letters due, each to DIR/UPN-LETTER.txt and .html, all of them in
 * DIR/print-run.html, listed on `list` (letters.c). */
struct eng_letter_writer {
	struct eng_consumer consumer;
	const char *dir;
	FILE *list, *diag;
	FILE *run;                    /* the print run, while it is written */
	size_t nrun;                  /* letters in it */
	char run_path[4096];
};
struct eng_consumer *eng_letters_init(struct eng_letter_writer *w, const char *dir, FILE *list, FILE *diag);
/* After a run that failed: the unfinished print run is removed. */
void eng_letters_abandon(struct eng_letter_writer *w);

/* Records the as-of day's decisions once every pupil has been evaluated: a
 * replay of that one day (record.c, replay.h). */
struct eng_recorder {
	struct eng_consumer consumer;
	struct reg_store *store;
	rt_date day;
	FILE *diag;
};
struct eng_consumer *eng_recorder_init(struct eng_recorder *r, struct reg_store *store, rt_date day, FILE *diag);

#endif

/*
 * The VM: evaluates a verified program for one pupil as of a date.
 *
 * Register measures (RT_M_*) are computed natively from the pupil's marks,
 * once per evaluation, before the code runs; MEASURE only reads them.
 * An rt_eval is reusable scratch for many pupils (one per thread).
 */
#ifndef RT_EVAL_H
#define RT_EVAL_H

#include <stdint.h>

#include "calendar.h"
#include "program.h"

struct rt_measure_plan;

/* One comparison the VM made, kept when tracing for `attend explain`. */
struct rt_trace_entry {
	uint32_t rule;          /* the rule being decided when it ran */
	uint32_t pc;            /* instruction index (the line table gives the source line) */
	uint8_t op;             /* RT_OP_LT .. RT_OP_NE */
	uint32_t label;         /* string describing the left side */
	struct rt_value left;
	struct rt_value right;
	uint8_t result;
};

/* The standard figures every report shows, from the code categories. */
struct rt_summary {
	int64_t possible;       /* sessions whose code is not "not possible" */
	int64_t present;        /* present + approved educational activity */
	int64_t authorised;
	int64_t unauthorised;
	int64_t unmarked;       /* school sessions up to the as-of date with no mark */
};

struct rt_eval {
	const struct rt_program *prog;
	const struct rt_calendar *cal;
	struct rt_value *measures;   /* nmeasures values for the current pupil */
	uint8_t *outcomes;           /* nrules: 1 if the rule holds */
	struct rt_value *stack;      /* max_stack entries */
	int stage;                   /* highest stage number that holds, 0 if none */
	int stage_rule;              /* its rule index, -1 if none */
	struct rt_summary summary;   /* figures for the school year of the as-of date */
	/* tracing (explain): */
	int tracing;
	struct rt_trace_entry *trace; size_t ntrace, cap_trace;
	char error[256];             /* why rt_eval_pupil failed */
	/* private to the runtime (vm.c, measures.c): */
	struct rt_measure_plan *plan;/* period starts for the current calendar and as-of date */
	uint32_t *pc_rule;           /* per instruction: the rule its condition decides (for the trace) */
};

/* 0 on success; -1 on out-of-memory. The program must have passed rt_verify(). */
int rt_eval_init(struct rt_eval *ev, const struct rt_program *prog, const struct rt_calendar *cal);
void rt_eval_free(struct rt_eval *ev);

/*
 * Evaluates one pupil. `marks` holds 2 * cal->ndays policy code indexes
 * (AM, PM for each school day) or RT_NO_MARK. Fills measures, outcomes,
 * stage and summary. Returns 0, or -1 with ev->error set (a run-time check
 * failed, such as a division the verifier could not rule out).
 */
int rt_eval_pupil(struct rt_eval *ev, const uint8_t *marks, rt_date as_of);

/* Computes one measure for a pupil; used by rt_eval_pupil and by tests. */
struct rt_value rt_measure_compute(const struct rt_program *prog, const struct rt_calendar *cal,
                                   const struct rt_measure *m, const uint8_t *marks, rt_date as_of);

#endif

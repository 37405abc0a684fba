/*
 * The VM: evaluates a verified program for one pupil as of a date.
 *
 * Register measures (RT_M_*) are computed natively from the pupil's marks,
 * once per evaluation, before the code runs; MEASURE only reads them. The
 * "since" kinds depend on rules decided earlier in the run, so MEASURE
 * computes those when it runs.
 * An rt_eval is reusable scratch for many pupils (one per thread).
 */
#ifndef RT_EVAL_H
#define RT_EVAL_H

#include <stdint.h>

#include "runtime/machine/calendar.h"
#include "runtime/machine/program.h"

struct rt_measure_plan;

/* The dates a measure's value comes from: the window or run that gave a maximum. */
struct rt_span {
	rt_date from, to;     /* RT_DATE_MAX when there is none (nothing counted) */
};

/* One comparison the VM made, kept when tracing for `attend explain`. */
struct rt_trace_entry {
	uint32_t rule;          /* the rule being decided when it ran */
	uint32_t pc;            /* instruction index (the line table gives the source line) */
	uint8_t op;             /* RT_OP_LT .. RT_OP_NE, RT_OP_IN_FORCE (left, right: from, until) or
	                           RT_OP_IN_YEARS (left: the pupil's year group, none when not recorded) */
	uint32_t label;         /* string describing the left side (IN_FORCE: the range index; IN_YEARS: the years) */
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
	int year;                    /* the pupil's year group (years.h), RT_NO_YEAR when not recorded:
	                                set by the caller before each pupil (rt_eval_init sets RT_NO_YEAR) */
	/* tracing (explain): */
	int tracing;
	struct rt_trace_entry *trace; size_t ntrace, cap_trace;
	char error[256];             /* why rt_eval_pupil failed */
	/* private to the runtime (vm.c, measures.c): */
	struct rt_measure_plan *plan;/* period starts for the current calendar and as-of date */
	uint32_t *pc_rule;           /* per instruction: the rule its condition decides (for the trace) */
	/* nrules: the date from which each rule holds, after rt_eval_pupil_history
	 * (RT_DATE_MAX when it does not hold); for "since when" in reports */
	rt_date *held_since;
	/* nmeasures, filled when tracing: for a maximum over windows or runs, the one that gave it */
	struct rt_span *spans;
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

/*
 * What the recorded history says about one pupil, for evaluations that build
 * on earlier decisions (docs/history.md). Filled by the runner from the
 * store's decision history, for the day before the as-of date.
 */
struct rt_pupil_history {
	/* nrules entries: the date from which each rule has held without a break,
	 * by the recorded history up to the day before the as-of date; RT_DATE_MAX
	 * when it did not hold on the last recorded day (or was never recorded). */
	const rt_date *held_since;
	/* Penalty-notice sessions on or before this date were counted toward an
	 * earlier notice and do not count again; RT_DATE_MIN if none. */
	rt_date counted_until;
};

/*
 * rt_eval_pupil with history: measures of the "since" kinds read held_since,
 * and penalty windows start after counted_until. A NULL history is the same
 * as an empty one. After it, ev->held_since[r] (nrules entries) is the date
 * from which rule r holds (history's date if it still holds, the as-of date
 * if it starts holding now, RT_DATE_MAX if it does not hold). A history date
 * after the as-of date counts as the as-of date. Penalty windows are those of
 * measures flagged RT_MEASURE_AFTER_NOTICE (the compiler flags every measure
 * of the `penalty notice` condition).
 */
int rt_eval_pupil_history(struct rt_eval *ev, const uint8_t *marks, rt_date as_of,
                          const struct rt_pupil_history *history);

/*
 * From a register's code ids ("raw" codes, 0 for no mark) to the policy's
 * code indexes, for rt_eval_load_marks; made once per run.
 */
struct rt_code_map {
	uint8_t xlat[256];           /* raw -> policy code index, RT_NO_MARK, or another value that counts nowhere */
	uint8_t used[256];           /* the raw codes that translate to anything but RT_NO_MARK */
	size_t nused;
};

/* xlat[0] is taken as RT_NO_MARK whatever it says: raw 0 is "no mark". */
void rt_code_map_init(struct rt_code_map *map, const uint8_t xlat[256]);

/*
 * One pass over a pupil's stored (raw) marks: translates them into
 * marks[2 * cal->ndays] (RT_NO_MARK past nstored) and, on the way, counts the
 * raw codes into 256 bins per period, mapped to the policy's codes after; the
 * next rt_eval_pupil_history on these marks and this as-of date then counts
 * nothing again. Returns the OR of flags[] (may be NULL) over the codes met.
 */
uint8_t rt_eval_load_marks(struct rt_eval *ev, rt_date as_of, const struct rt_code_map *map, const uint8_t *flags,
                           const uint8_t *stored, size_t nstored, uint8_t *marks);

/* Computes one measure for a pupil without history; used by tests. The
 * "since" kinds need the run's outcomes and give "no value" here. */
struct rt_value rt_measure_compute(const struct rt_program *prog, const struct rt_calendar *cal,
                                   const struct rt_measure *m, const uint8_t *marks, rt_date as_of);

#endif

/*
 * Register measures, private to runtime/: the period arithmetic on the
 * calendar (once per as-of date) and the per-pupil counting that rt_eval
 * runs. measures.c implements it; vm.c and rt_measure_compute use it.
 */
#ifndef RT_MEASURES_H
#define RT_MEASURES_H

#include <stddef.h>
#include <stdint.h>

#include "eval.h"

/* Where the periods of an as-of date start: day indexes into the calendar.
 * Every period ends at `upto` (exclusive): nothing after the as-of date counts. */
struct rt_period_anchor {
	rt_date as_of;
	size_t upto;          /* school days on or before as_of */
	size_t year_begin;    /* first school day of as_of's school year */
	int half_term;        /* 1..6: that of the last school day on or before as_of in its school year; 0 if none */
	size_t term_begin;    /* first day of that half term's term (half terms 1-2, 3-4, 5-6) */
	size_t half_begin;    /* first day of that half term */
	int64_t window_week;  /* the school week that school-week windows end with; -1 if none */
};

void rt_period_anchor_init(struct rt_period_anchor *a, const struct rt_calendar *cal, rt_date as_of);

/* The first day index of m's period (m->period) for this anchor. */
size_t rt_period_begin(const struct rt_period_anchor *a, const struct rt_calendar *cal, const struct rt_measure *m);

/* Per-calendar, per-as-of work done once, then reused for every pupil. */
struct rt_measure_plan {
	const struct rt_calendar *cal;
	int valid;                    /* anchor and slots match `cal` and anchor.as_of */
	struct rt_period_anchor anchor;
	size_t nbegins;               /* distinct period starts, descending */
	size_t *begins;
	uint32_t *slot;               /* per measure: its period start's index in begins */
	uint32_t year_slot;           /* the school year's index in begins (for the summary) */
	uint32_t (*hist)[256];        /* per period start: sessions per mark, scratch for one pupil */
	int64_t *possible;            /* per period start: possible sessions, scratch for one pupil */
};

/* Makes the plan fit (prog, cal, as_of); cheap when it already does. 0, or -1 on out of memory. */
int rt_measure_plan_prepare(struct rt_measure_plan *plan, const struct rt_program *prog,
                            const struct rt_calendar *cal, rt_date as_of);

/* Computes every measure of prog for one pupil into out[nmeasures], and the summary. */
void rt_measure_plan_run(struct rt_measure_plan *plan, const struct rt_program *prog, const uint8_t *marks,
                         struct rt_value *out, struct rt_summary *summary);

void rt_measure_plan_free(struct rt_measure_plan *plan);

/* m's value over the school days [begin, a->upto) by a direct scan: the
 * reference for the plan, and how the VM recounts a window that starts
 * after a notice (RT_MEASURE_AFTER_NOTICE). "No value" for the "since" kinds. */
struct rt_value rt_measure_scan(const struct rt_program *prog, const struct rt_calendar *cal,
                                const struct rt_measure *m, const uint8_t *marks,
                                const struct rt_period_anchor *a, size_t begin);

/* A "since" measure (RT_M_WEEKS_SINCE, RT_M_DAYS_SINCE) of a rule that has
 * held from `since`; "no value" when since is RT_DATE_MAX (it does not hold). */
struct rt_value rt_measure_since(const struct rt_calendar *cal, const struct rt_period_anchor *a,
                                 const struct rt_measure *m, rt_date since);

#endif

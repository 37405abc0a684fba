/*
 * Register measures, private to runtime/: the period arithmetic on the
 * calendar (once per as-of date) and the per-pupil counting that rt_eval
 * runs. measures.c implements it; vm.c and rt_measure_compute use it.
 */
#ifndef RT_MEASURES_H
#define RT_MEASURES_H

#include <stddef.h>
#include <stdint.h>

#include "runtime/machine/eval.h"

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

/*
 * Per-calendar, per-as-of work done once, then reused for every pupil.
 * The counting measures (sessions, days, rate) read a per-mark histogram of
 * their period; a plan has one histogram per distinct period ("key"): the
 * school year (key 0, for the summary) and each other period a counting
 * measure names. Keys depend only on the program.
 */
struct rt_measure_plan {
	const struct rt_calendar *cal;
	const struct rt_program *prog;
	int valid;                    /* anchor and begins match `cal` and anchor.as_of */
	struct rt_period_anchor anchor;
	size_t nkeys;
	uint32_t *key;                /* per measure: its period's key (0 for the kinds that count nothing) */
	uint32_t *key_measure;        /* per key: a measure with that period (rt_period_begin) */
	size_t *begin;                /* per key: the period's first day for the anchor */
	uint32_t *order;              /* keys by begin, latest first (the backward pass) */
	size_t nbins;                 /* histogram bins: one per code, then unmarked, then anything else */
	uint16_t bin[256];            /* mark -> bin */
	struct rt_codeset possible_codes; /* the codes that are not "not possible" */
	uint32_t *hist;               /* nkeys * nbins: scratch for one pupil */
	const uint8_t *counted;       /* marks whose histograms hist already holds (rt_eval_load_marks), or NULL */
	struct rt_codeset present;    /* with `counted`: the codes with a session in any key's histogram (or more) */
	uint8_t *raw;                 /* stored marks padded with "no mark" (rt_eval_load_marks) */
	size_t nraw;
	int64_t *possible;            /* per key: possible sessions, scratch for one pupil */
	size_t *half_days;            /* the days the school does not meet for both sessions, ascending */
	size_t nhalf_days, nhalf_upto; /* how many; how many of them before anchor.upto */
};

/* Makes the plan fit (prog, cal, as_of); cheap when it already does. 0, or -1 on out of memory. */
int rt_measure_plan_prepare(struct rt_measure_plan *plan, const struct rt_program *prog,
                            const struct rt_calendar *cal, rt_date as_of);

/*
 * A pupil's running tally: the histograms of every key over the days the
 * last evaluation counted, kept between evaluations so that the next one
 * only adds the days that enter a period and takes away those that leave it
 * (replay, day after day: a school-week window slides a week, a new half term
 * starts afresh) instead of counting from the start of each period. Any
 * sequence of as-of dates gives the direct counts (going back takes days
 * away). rt_measure_tally_words(prog) uint32_t words, zeroed before first
 * use; a tally belongs to one program and one pupil's marks, which must not
 * change while it is used.
 */
size_t rt_measure_tally_words(const struct rt_program *prog);

/* Computes every measure of prog for one pupil into out[nmeasures], and the
 * summary; with a tally (may be NULL), from it, bringing it up to date. */
void rt_measure_plan_run(struct rt_measure_plan *plan, const struct rt_program *prog, const uint8_t *marks,
                         uint32_t *tally, struct rt_value *out, struct rt_summary *summary);

/* rt_eval_pupil_history with the pupil's running tally (vm.c; replay). */
int rt_eval_pupil_tally(struct rt_eval *ev, const uint8_t *marks, rt_date as_of,
                        const struct rt_pupil_history *history, uint32_t *tally);

void rt_measure_plan_free(struct rt_measure_plan *plan);

/* Key `key`'s histogram (plan->hist) from raw-code counts: h[b] sessions with
 * raw code b, shut[b] of them (shut may be NULL: none) on sessions the school does not meet, `open`
 * sessions the school meets in all (stored.c). */
void rt_measure_plan_fill(struct rt_measure_plan *plan, size_t key, const struct rt_code_map *map,
                          const uint32_t h[256], const uint32_t shut[256], uint32_t open);

/* m's value over the school days [begin, a->upto) by a direct scan: the
 * reference for the plan, and how the VM recounts a window that starts
 * after a notice (RT_MEASURE_AFTER_NOTICE). "No value" for the "since" kinds. */
struct rt_value rt_measure_scan(const struct rt_program *prog, const struct rt_calendar *cal,
                                const struct rt_measure *m, const uint8_t *marks,
                                const struct rt_period_anchor *a, size_t begin);

/* Possible sessions (marked, not "not possible") on the school days [begin, upto). */
int64_t rt_measure_possible(const struct rt_program *prog, const struct rt_calendar *cal, const uint8_t *marks,
                            size_t begin, size_t upto);

/* Whether m is a maximum over windows or runs (RT_M_LONGEST_RUN, "in any N school weeks"). */
int rt_measure_spans(const struct rt_measure *m);

/* rt_measure_scan for such a measure, with the window or run that gave the maximum. */
struct rt_value rt_measure_scan_span(const struct rt_program *prog, const struct rt_calendar *cal,
                                     const struct rt_measure *m, const uint8_t *marks,
                                     const struct rt_period_anchor *a, size_t begin, struct rt_span *span);

/* A "since" measure (RT_M_WEEKS_SINCE, RT_M_DAYS_SINCE) of a rule that has
 * held from `since`; "no value" when since is RT_DATE_MAX (it does not hold). */
struct rt_value rt_measure_since(const struct rt_calendar *cal, const struct rt_period_anchor *a,
                                 const struct rt_measure *m, rt_date since);

#endif

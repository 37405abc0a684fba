/*
 * A pupil's stored marks into the machine in one pass (eval.h,
 * rt_eval_load_marks): each session's raw code is translated to the policy's
 * and counted into one of 256 bins by raw code at the same time; the bins
 * become the period histograms of the measure plan afterwards, a few dozen
 * codes instead of 380 sessions. rt_measure_plan_run then finds the counting
 * done.
 */
#include "runtime/machine/measures.h"

#include <stdlib.h>
#include <string.h>

void
rt_code_map_init(struct rt_code_map *map, const uint8_t xlat[256])
{
	memcpy(map->xlat, xlat, sizeof map->xlat);
	map->xlat[0] = RT_NO_MARK;
	map->nused = 0;
	for (size_t b = 0; b < 256; b++)
		if (map->xlat[b] != RT_NO_MARK)
			map->used[map->nused++] = (uint8_t)b;
}

/* Translates sessions [from, to) without counting them. */
static uint8_t
translate(const uint8_t *xlat, const uint8_t *flags, const uint8_t *raw, uint8_t *marks, size_t from, size_t to)
{
	uint8_t seen = 0;
	for (size_t k = from; k < to; k++) {
		marks[k] = xlat[raw[k]];
		seen |= flags[marks[k]];
	}
	return seen;
}

/* The stored marks padded to n sessions with raw 0 (no mark); NULL on out of memory. */
static const uint8_t *
padded(struct rt_measure_plan *plan, const uint8_t *stored, size_t nstored, size_t n)
{
	if (nstored >= n)
		return stored;
	if (plan->nraw < n) {
		uint8_t *grown = realloc(plan->raw, n);
		if (!grown)
			return NULL;
		plan->raw = grown;
		plan->nraw = n;
	}
	if (nstored) /* a pupil with no marks has no stored bytes at all (NULL) */
		memcpy(plan->raw, stored, nstored);
	memset(plan->raw + nstored, 0, n - nstored);
	return plan->raw;
}

/* Backward from the as-of date, as scan_keys does, translating as it counts.
 * Every session is counted, two days at a time; those of the days the school
 * does not meet for both sessions (plan->half_days, rare) are counted again in
 * `shut` and taken away when a key is filled. */
static uint8_t
count_keys(struct rt_measure_plan *plan, const struct rt_code_map *map, const uint8_t *flags,
           const uint8_t *restrict raw, uint8_t *restrict marks, size_t *left)
{
	const struct rt_school_day *restrict days = plan->cal->days;
	const uint8_t *restrict xlat = map->xlat;
	uint32_t h[256] = { 0 }, shut[256], nshut = 0;
	int any_shut = 0; /* shut[] is cleared when first needed: most calendars meet both sessions every day */
	size_t i = plan->anchor.upto, upto = i, half = plan->nhalf_upto;
	for (size_t o = 0; o < plan->nkeys; o++) {
		uint32_t j = plan->order[o];
		size_t begin = plan->begin[j];
		for (; i >= begin + 2; i -= 2) {
			size_t k = 2 * (i - 2);
			uint8_t r0 = raw[k], r1 = raw[k + 1], r2 = raw[k + 2], r3 = raw[k + 3];
			marks[k] = xlat[r0];
			marks[k + 1] = xlat[r1];
			marks[k + 2] = xlat[r2];
			marks[k + 3] = xlat[r3];
			h[r0]++;
			h[r1]++;
			h[r2]++;
			h[r3]++;
		}
		if (i > begin) {
			size_t k = 2 * --i;
			marks[k] = xlat[raw[k]];
			marks[k + 1] = xlat[raw[k + 1]];
			h[raw[k]]++;
			h[raw[k + 1]]++;
		}
		for (; half > 0 && plan->half_days[half - 1] >= begin; half--) {
			size_t d = plan->half_days[half - 1];
			uint8_t open = days[d].open;
			if (!any_shut++)
				memset(shut, 0, sizeof shut);
			shut[raw[2 * d]] += !(open & RT_OPEN_AM);
			shut[raw[2 * d + 1]] += !(open & RT_OPEN_PM);
			nshut += !(open & RT_OPEN_AM) + !(open & RT_OPEN_PM);
		}
		rt_measure_plan_fill(plan, j, map, h, any_shut ? shut : NULL, (uint32_t)(2 * (upto - i)) - nshut);
	}
	uint8_t seen = 0;
	memset(&plan->present, 0, sizeof plan->present);
	for (size_t u = 0; u < map->nused; u++)
		if (h[map->used[u]]) {
			uint8_t c = xlat[map->used[u]];
			seen |= flags[c];
			if (c < plan->prog->ncodes) /* h spans every key's period: a superset of each key's codes */
				rt_codeset_add(&plan->present, c);
		}
	*left = i;
	return seen;
}

uint8_t
rt_eval_load_marks(struct rt_eval *ev, rt_date as_of, const struct rt_code_map *map, const uint8_t *flags,
                   const uint8_t *stored, size_t nstored, uint8_t *marks)
{
	static const uint8_t none[256];
	struct rt_measure_plan *plan = ev->plan;
	size_t n = 2 * ev->cal->ndays, left;
	flags = flags ? flags : none;
	plan->counted = NULL;
	/* prepared first: preparing for another program frees the padding */
	int failed = rt_measure_plan_prepare(plan, ev->prog, ev->cal, as_of);
	const uint8_t *raw = failed ? NULL : padded(plan, stored, nstored, n);
	if (!raw) {
		/* out of memory: translate only; the evaluation will say so */
		size_t have = nstored < n ? nstored : n;
		memset(marks + have, RT_NO_MARK, n - have);
		return translate(map->xlat, flags, stored, marks, 0, have);
	}
	size_t upto = plan->anchor.upto;
	uint8_t seen = translate(map->xlat, flags, raw, marks, 2 * upto, n);
	seen |= count_keys(plan, map, flags, raw, marks, &left);
	seen |= translate(map->xlat, flags, raw, marks, 0, 2 * left);
	plan->counted = marks;
	return seen;
}

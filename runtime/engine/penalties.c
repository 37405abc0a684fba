/* Penalty notices per parent and pupil: ordinals, the cap, amounts in force. */
#include "runtime/engine/penalties.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* The first index in [0, n) whose pupil_id is not below `id` (arrays sorted by pupil id). */
#define LOWER_BOUND(array, n, id, out)                                   \
	do {                                                             \
		size_t lo_ = 0, hi_ = (n);                                \
		while (lo_ < hi_) {                                      \
			size_t mid_ = lo_ + (hi_ - lo_) / 2;             \
			if ((array)[mid_].pupil_id < (id))               \
				lo_ = mid_ + 1;                          \
			else                                             \
				hi_ = mid_;                              \
		}                                                        \
		(out) = lo_;                                             \
	} while (0)

void
eng_penalties_of(const struct reg_penalties *all, int64_t pupil_id, struct eng_pupil_penalties *out)
{
	size_t i;
	memset(out, 0, sizeof *out);
	LOWER_BOUND(all->parents, all->nparents, pupil_id, i);
	out->parents = all->parents ? all->parents + i : NULL; /* NULL + 0 is undefined */
	while (i + out->nparents < all->nparents && all->parents[i + out->nparents].pupil_id == pupil_id)
		out->nparents++;
	LOWER_BOUND(all->notices, all->nnotices, pupil_id, i);
	out->notices = all->notices ? all->notices + i : NULL;
	while (i + out->nnotices < all->nnotices && all->notices[i + out->nnotices].pupil_id == pupil_id)
		out->nnotices++;
}

rt_date
eng_penalties_parent_counted_until(const struct eng_pupil_penalties *pp, const char *parent_id, rt_date as_of)
{
	rt_date until = RT_DATE_MIN;
	for (size_t i = 0; i < pp->nnotices; i++) {
		const struct reg_notice *n = &pp->notices[i];
		if ((!parent_id || strcmp(n->parent_id, parent_id) == 0) && n->issued <= as_of && n->issued > until)
			until = n->issued;
	}
	return until;
}

rt_date
eng_penalties_counted_until(const struct eng_pupil_penalties *pp, rt_date as_of)
{
	if (!pp->nparents)
		return eng_penalties_parent_counted_until(pp, NULL, as_of);
	rt_date until = RT_DATE_MAX;
	for (size_t i = 0; i < pp->nparents; i++) {
		rt_date mine = eng_penalties_parent_counted_until(pp, pp->parents[i].parent_id, as_of);
		if (mine < until)
			until = mine;
	}
	return until;
}

/* The same day `years` later (29 February becomes 28 February). */
static rt_date
years_after(rt_date date, int years)
{
	int y, m, d;
	rt_date_to_ymd(date, &y, &m, &d);
	if (m == 2 && d == 29)
		d = 28;
	return rt_date_from_ymd(y + years, m, d);
}

static int
compare_dates(const void *a, const void *b)
{
	rt_date x = *(const rt_date *)a, y = *(const rt_date *)b;
	return x < y ? -1 : x > y;
}

/* The notices (sorted issue dates) that count on `date`: those of the current period, each
 * period starting at a notice issued after the previous one ended (`years` after its start). */
static int
counted_in_period(const rt_date *issued, size_t n, int years, rt_date date)
{
	rt_date period_start = RT_DATE_MIN;
	int in_period = 0;
	for (size_t i = 0; i < n; i++) {
		if (period_start == RT_DATE_MIN || (years && issued[i] >= years_after(period_start, years))) {
			period_start = issued[i];
			in_period = 0;
		}
		in_period++;
	}
	int current = period_start != RT_DATE_MIN && (!years || date < years_after(period_start, years));
	return current ? in_period : 0;
}

void
eng_penalties_next(const struct rt_program *prog, const struct eng_pupil_penalties *pp, const char *parent_id,
                  rt_date date, struct eng_parent_notice *out)
{
	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < pp->nparents; i++)
		if (strcmp(pp->parents[i].parent_id, parent_id) == 0)
			out->parent = &pp->parents[i];
	/* This parent's notices that count, in issue order. */
	rt_date issued[64];
	size_t n = 0;
	for (size_t i = 0; i < pp->nnotices && n < sizeof issued / sizeof issued[0]; i++) {
		const struct reg_notice *notice = &pp->notices[i];
		if (strcmp(notice->parent_id, parent_id) == 0 && notice->state != REG_NOTICE_WITHDRAWN &&
		    notice->issued <= date)
			issued[n++] = notice->issued;
	}
	qsort(issued, n, sizeof issued[0], compare_dates);
	const struct rt_penalty *pen = &prog->penalty;
	out->counted = counted_in_period(issued, n, pen->cap_years, date);
	out->ordinal = out->counted + 1;
	out->capped = pen->max_notices && out->counted >= pen->max_notices;
	if (pen->cap_dated) {
		/* A dated limit: in force on its dates only, counting the notices issued on them. */
		size_t first = 0;
		while (first < n && issued[first] < pen->cap_from)
			first++;
		int in_force = pen->cap_from <= date && date <= pen->cap_until;
		int toward = counted_in_period(issued + first, n - first, pen->cap_years, date);
		out->capped = in_force && pen->max_notices && toward >= pen->max_notices;
		if (out->capped)
			out->counted = toward; /* what the refusal says count */
	}
	out->fine = out->capped ? NULL : rt_program_fine_in_force(prog, out->ordinal, date);
	out->covered_until = eng_penalties_parent_counted_until(pp, parent_id, date);
}

void
eng_penalties_detail(const struct rt_program *prog, const struct eng_pupil_penalties *pp, rt_date date, char *buf,
                    size_t size)
{
	size_t len = 0;
	buf[0] = 0;
	if (!pp->nparents)
		return;
	len += (size_t)snprintf(buf, size, "\"notices\":[");
	for (size_t i = 0; i < pp->nparents && len < size; i++) {
		struct eng_parent_notice pn;
		eng_penalties_next(prog, pp, pp->parents[i].parent_id, date, &pn);
		/* Parent ids come from the register; keep the JSON well formed whatever they hold. */
		char id[64];
		size_t k = 0;
		for (const char *s = pp->parents[i].parent_id; *s && k < sizeof id - 1; s++)
			if (*s != '"' && *s != '\\' && (unsigned char)*s >= 0x20)
				id[k++] = *s;
		id[k] = 0;
		if (pn.capped)
			len += (size_t)snprintf(buf + len, size - len, "%s{\"parent\":\"%s\",\"counted\":%d,\"alternative\":true}",
			                        i ? "," : "", id, pn.counted);
		else
			len += (size_t)snprintf(buf + len, size - len,
			                        "%s{\"parent\":\"%s\",\"notice\":%d,\"amount_pence\":%" PRId64 "}", i ? "," : "",
			                        id, pn.ordinal, pn.fine ? pn.fine->pence : (int64_t)0);
	}
	if (len < size)
		snprintf(buf + len, size - len, "]");
}

void
eng_fine_text(const struct rt_fine *f, char *buf, size_t size)
{
	char a[32], b[32];
	struct rt_value first = { f->pence, 1, RT_UNIT_MONEY }, later = { f->later_pence, 1, RT_UNIT_MONEY };
	rt_value_format(&first, a, sizeof a);
	if (f->later_pence) {
		rt_value_format(&later, b, sizeof b);
		snprintf(buf, size, "%s within %u days, or %s within %u days", a, f->days, b, f->later_days);
	} else {
		snprintf(buf, size, "%s within %u days", a, f->days);
	}
}

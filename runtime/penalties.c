/* Penalty notices per parent and pupil: ordinals, the cap, amounts in force. */
#include "penalties.h"

#include <inttypes.h>
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
rt_penalties_of(const struct rt_store_penalties *all, int64_t pupil_id, struct rt_pupil_penalties *out)
{
	size_t i;
	memset(out, 0, sizeof *out);
	LOWER_BOUND(all->parents, all->nparents, pupil_id, i);
	out->parents = all->parents + i;
	while (i + out->nparents < all->nparents && all->parents[i + out->nparents].pupil_id == pupil_id)
		out->nparents++;
	LOWER_BOUND(all->notices, all->nnotices, pupil_id, i);
	out->notices = all->notices + i;
	while (i + out->nnotices < all->nnotices && all->notices[i + out->nnotices].pupil_id == pupil_id)
		out->nnotices++;
}

rt_date
rt_penalties_counted_until(const struct rt_pupil_penalties *pp, rt_date as_of)
{
	rt_date until = RT_DATE_MIN;
	for (size_t i = 0; i < pp->nnotices; i++)
		if (pp->notices[i].issued < as_of && pp->notices[i].issued > until)
			until = pp->notices[i].issued;
	return until;
}

/* The same day `years` earlier (29 February becomes the 28th). */
static rt_date
years_before(rt_date date, int years)
{
	int y, m, d;
	rt_date_to_ymd(date, &y, &m, &d);
	if (m == 2 && d == 29)
		d = 28;
	return rt_date_from_ymd(y - years, m, d);
}

void
rt_penalties_next(const struct rt_program *prog, const struct rt_pupil_penalties *pp, const char *parent_id,
                  rt_date date, struct rt_parent_notice *out)
{
	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < pp->nparents; i++)
		if (strcmp(pp->parents[i].parent_id, parent_id) == 0)
			out->parent = &pp->parents[i];
	/* Notices within cap_years before `date` count toward the cap, unless withdrawn. */
	rt_date since = prog->penalty.cap_years ? years_before(date, prog->penalty.cap_years) : RT_DATE_MIN;
	for (size_t i = 0; i < pp->nnotices; i++) {
		const struct rt_store_notice *n = &pp->notices[i];
		if (strcmp(n->parent_id, parent_id) == 0 && n->state != RT_NOTICE_WITHDRAWN && n->issued <= date &&
		    n->issued > since)
			out->counted++;
	}
	out->ordinal = out->counted + 1;
	out->capped = prog->penalty.max_notices && out->counted >= prog->penalty.max_notices;
	out->fine = out->capped ? NULL : rt_program_fine_in_force(prog, out->ordinal, date);
}

void
rt_penalties_detail(const struct rt_program *prog, const struct rt_pupil_penalties *pp, rt_date date, char *buf,
                    size_t size)
{
	size_t len = 0;
	buf[0] = 0;
	if (!pp->nparents)
		return;
	len += (size_t)snprintf(buf, size, "\"notices\":[");
	for (size_t i = 0; i < pp->nparents && len < size; i++) {
		struct rt_parent_notice pn;
		rt_penalties_next(prog, pp, pp->parents[i].parent_id, date, &pn);
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

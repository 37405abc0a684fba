#include "runtime/engine/run.h"

#include <unistd.h>

/* Calls one stage of every consumer in the chain; the last non-zero status wins. */
enum stage { BEGIN, END };

static int
each(struct eng_consumer *c, const struct rt_program *prog, enum stage stage)
{
	int status = 0;
	for (; c; c = c->next) {
		int (*fn)(struct eng_consumer *, const struct rt_program *) = stage == BEGIN ? c->begin : c->end;
		int r = fn ? fn(c, prog) : 0;
		if (r < 0)
			return r;
		if (r)
			status = r;
	}
	return status;
}

static int
each_pupil(struct eng_consumer *c, const struct rt_program *prog, const struct eng_outcome *o)
{
	for (; c; c = c->next) {
		int r = c->pupil ? c->pupil(c, prog, o) : 0;
		if (r)
			return r;
	}
	return 0;
}

int
eng_run(const struct rt_program *prog, struct reg_store *store, const struct eng_run_params *params,
        struct eng_consumer *consumers)
{
	struct eng_run_params p = *params;
	for (struct eng_consumer *c = consumers; c; c = c->next)
		p.tracing |= c->tracing;
	struct eng_pupils *it;
	int status = eng_pupils_open(prog, store, &p, &it);
	if (status)
		return status;
	const struct eng_outcome *o;
	int rc = 0, seen = 0;
	while (status == 0 && (rc = eng_pupils_next(it, &o)) == 1) {
		/* begin waits for the first pupil, so that an unknown --pupil writes no report at all */
		if (!seen++)
			status = each(consumers, prog, BEGIN);
		if (status == 0)
			status = each_pupil(consumers, prog, o);
	}
	int out_of_date = eng_pupils_close(it);
	if (status)
		return status;
	if (rc < 0)
		return -1;
	if (p.upn && !seen) {
		fprintf(p.diag, "attend: no pupil with UPN %s in the register\n", p.upn);
		return ENG_NO_PUPIL;
	}
	if (!seen && (status = each(consumers, prog, BEGIN)) < 0)
		return status;
	int ended = each(consumers, prog, END);
	return ended ? ended : status ? status : out_of_date;
}

int
eng_default_jobs(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > 8 ? 8 : (int)n;
}

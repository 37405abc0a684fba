/*
 * attend la run: every school's policy over its register, one combined report.
 * The schools are evaluated side by side on several threads, each into a
 * buffer of its own, and the buffers written in manifest order.
 */
#include "runtime/tools/la.h"

#include <pthread.h>
#include <stdlib.h>

#include "runtime/engine/engine.h"

struct school_run {
	struct reg_store *store;  /* NULL when the school could not be opened */
	char *out, *diag;         /* what its report and its warnings wrote */
	size_t nout, ndiag;
	int rc, header;
};

struct run_pool {
	struct tool_la *la;
	struct school_run *runs;
	const struct reg_penalties *all;
	rt_date as_of;
	int format;
	size_t next;
	pthread_mutex_t lock;
};

/* The text report gets a heading per school; JSON and CSV records carry the URN. */
static int
run_school(struct run_pool *p, size_t k, FILE *out, FILE *diag)
{
	struct tool_la *la = p->la;
	struct tool_la_school *s = &la->schools[k];
	struct eng_report report;
	struct eng_consumer *c = eng_report_init(&report, (enum eng_format)p->format, out);
	report.urn = s->urn;
	report.no_header = p->format == ENG_FORMAT_CSV && !p->runs[k].header;
	if (p->format == ENG_FORMAT_TEXT)
		fprintf(out, "%s%s %s (%s)\n", p->runs[k].header ? "" : "\n", s->urn, s->name, s->policy);
	struct eng_run_params params = { .as_of = p->as_of, .diag = diag };
	struct eng_elsewhere *e = tool_la_elsewhere(la, p->all, k, &params.nelsewhere);
	params.elsewhere = e;
	int rc = e ? eng_run(s->prog, p->runs[k].store, &params, c) : -1;
	free(e);
	return rc;
}

static void *
worker(void *arg)
{
	struct run_pool *p = arg;
	for (;;) {
		pthread_mutex_lock(&p->lock);
		size_t k = p->next++;
		pthread_mutex_unlock(&p->lock);
		if (k >= p->la->n)
			return NULL;
		struct school_run *r = &p->runs[k];
		if (!r->store)
			continue;
		FILE *out = open_memstream(&r->out, &r->nout), *diag = open_memstream(&r->diag, &r->ndiag);
		r->rc = out && diag ? run_school(p, k, out, diag) : -1;
		if ((out && fclose(out)) || (diag && fclose(diag)))
			r->rc = -1;
		reg_close(r->store);
		r->store = NULL;
	}
}

/* Opens every register once, reading its notices: a child who moved keeps
 * their notice history, so every school's run needs every school's notices. */
static void
open_all(struct tool_la *la, struct school_run *runs, struct reg_penalties *all)
{
	int header = 1;
	for (size_t i = 0; i < la->n; i++) {
		struct tool_la_school *s = &la->schools[i];
		struct reg_store **store = &runs[i].store;
		if ((!s->skip && tool_la_policy(la, s)) || tool_la_register(la, s, 0, store))
			continue;
		if (reg_penalties_load(*store, NULL, &all[i]))
			tool_la_problem(la, s, "%s", reg_error(*store));
		if (s->skip || s->failed) {
			reg_close(*store);
			*store = NULL;
		} else {
			runs[i].header = header;
			header = 0;
		}
	}
}

int
tool_la_run(struct tool_la *la, rt_date as_of, int format, int threads, FILE *out)
{
	struct run_pool p = { .la = la, .as_of = as_of, .format = format };
	struct reg_penalties *all = calloc(la->n + 1, sizeof *all);
	p.runs = calloc(la->n + 1, sizeof *p.runs);
	if (!p.runs || !all || pthread_mutex_init(&p.lock, NULL)) {
		free(p.runs);
		free(all);
		return -1;
	}
	p.all = all;
	open_all(la, p.runs, all);
	pthread_t tid[16];
	int started = 0;
	for (int t = 1; t < threads && t < 16; t++)
		if (pthread_create(&tid[started], NULL, worker, &p) == 0)
			started++;
	worker(&p);
	for (int t = 0; t < started; t++)
		pthread_join(tid[t], NULL);
	for (size_t i = 0; i < la->n; i++) {
		struct school_run *r = &p.runs[i];
		if (r->ndiag)
			fwrite(r->diag, 1, r->ndiag, la->diag);
		if (r->nout)
			fwrite(r->out, 1, r->nout, out);
		if (r->rc > 0)
			tool_la_problem(la, &la->schools[i], "the register holds data the policy cannot evaluate (above)");
		else if (r->rc < 0)
			tool_la_problem(la, &la->schools[i], "the run failed (above)");
		free(r->out);
		free(r->diag);
	}
	pthread_mutex_destroy(&p.lock);
	free(p.runs);
	tool_la_penalties_free(la, all);
	return tool_la_status(la);
}

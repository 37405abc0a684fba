/*
 * attend la replay: every school's year replayed and recorded, each under its
 * own policy, on several threads. Each school's register is its own SQLite
 * database with its own connection, so the schools never wait for each other;
 * the policies are loaded and the registers opened and checked first, on the
 * calling thread, so that problems are reported in manifest order. Each
 * school's summary is kept and written in manifest order at the end.
 */
#include "runtime/tools/la.h"

#include <pthread.h>
#include <stdlib.h>

#include "runtime/engine/replay.h"

struct job {
	struct tool_la_school *school;
	struct reg_store *store;  /* NULL when the school could not be opened */
	char *out, *diag;         /* what the replay wrote */
	size_t nout, ndiag;
	int rc;
};

struct pool {
	struct job *jobs;
	size_t n, next;
	rt_date from, to;
	pthread_mutex_t lock;
};

static void
replay_one(struct pool *p, struct job *j)
{
	FILE *out = open_memstream(&j->out, &j->nout), *diag = open_memstream(&j->diag, &j->ndiag);
	if (!out || !diag) {
		j->rc = -1;
	} else {
		struct eng_replay_options ro = { .from = p->from, .to = p->to, .out = out, .diag = diag };
		j->rc = eng_replay(j->school->prog, j->store, &ro);
	}
	if (out)
		fclose(out);
	if (diag)
		fclose(diag);
	reg_close(j->store);
	j->store = NULL;
}

static void *
worker(void *arg)
{
	struct pool *p = arg;
	for (;;) {
		pthread_mutex_lock(&p->lock);
		size_t i = p->next++;
		pthread_mutex_unlock(&p->lock);
		if (i >= p->n)
			return NULL;
		if (p->jobs[i].store)
			replay_one(p, &p->jobs[i]);
	}
}

/* Runs the pool on `threads` threads (the calling one among them). */
static void
run_pool(struct pool *p, int threads)
{
	pthread_t tid[16];
	int started = 0;
	for (int t = 1; t < threads && t < 16; t++)
		if (pthread_create(&tid[started], NULL, worker, p) == 0)
			started++;
	worker(p);
	for (int t = 0; t < started; t++)
		pthread_join(tid[t], NULL);
}

static void
report(struct tool_la *la, struct job *j, FILE *out)
{
	if (j->ndiag)
		fwrite(j->diag, 1, j->ndiag, la->diag);
	if (j->nout)
		fprintf(out, "%s %s: %.*s", j->school->urn, j->school->name, (int)j->nout, j->out);
	if (j->rc < 0)
		tool_la_problem(la, j->school, "the replay failed (above); nothing was recorded for this school");
	else if (j->rc > 0)
		tool_la_problem(la, j->school, "the replay differs from the recorded history or was refused (above)");
}

int
tool_la_replay(struct tool_la *la, rt_date from, rt_date to, int threads, FILE *out)
{
	struct pool p = { .n = la->n, .from = from, .to = to };
	p.jobs = calloc(la->n + 1, sizeof *p.jobs);
	if (!p.jobs || pthread_mutex_init(&p.lock, NULL)) {
		free(p.jobs);
		return -1;
	}
	for (size_t i = 0; i < la->n; i++) {
		struct job *j = &p.jobs[i];
		j->school = &la->schools[i];
		if (!j->school->skip && tool_la_policy(la, j->school) == 0)
			tool_la_register(la, j->school, 1, &j->store);
	}
	run_pool(&p, threads);
	for (size_t i = 0; i < la->n; i++) {
		if (p.jobs[i].school->prog && !p.jobs[i].school->failed)
			report(la, &p.jobs[i], out);
		free(p.jobs[i].out);
		free(p.jobs[i].diag);
	}
	pthread_mutex_destroy(&p.lock);
	free(p.jobs);
	return tool_la_status(la);
}

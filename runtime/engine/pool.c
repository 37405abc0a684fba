#include "runtime/engine/pool.h"

#include <pthread.h>
#include <stdlib.h>

struct part {
	struct eng_batch *batch;
	size_t from, to;
};

struct eng_pool {
	pthread_mutex_t mu;
	pthread_cond_t work, done;
	pthread_t *threads;
	int nthreads, stop;
	struct part *queue;      /* a ring of cap parts */
	size_t cap, head, count;
};

static void *
worker(void *arg)
{
	struct eng_pool *p = arg;
	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (!p->count && !p->stop)
			pthread_cond_wait(&p->work, &p->mu);
		if (!p->count)
			break;
		struct part part = p->queue[p->head];
		p->head = (p->head + 1) % p->cap;
		p->count--;
		pthread_cond_broadcast(&p->done); /* room in the queue */
		pthread_mutex_unlock(&p->mu);
		part.batch->fn(part.batch->arg, part.from, part.to);
		pthread_mutex_lock(&p->mu);
		if (--part.batch->pending == 0)
			pthread_cond_broadcast(&p->done);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

struct eng_pool *
eng_pool_start(int nthreads)
{
	struct eng_pool *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->cap = 4 * (size_t)nthreads;
	p->queue = malloc(p->cap * sizeof *p->queue);
	p->threads = malloc((size_t)nthreads * sizeof *p->threads);
	if (!p->queue || !p->threads) {
		free(p->queue);
		free(p->threads);
		free(p);
		return NULL;
	}
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->done, NULL);
	for (; p->nthreads < nthreads; p->nthreads++)
		if (pthread_create(&p->threads[p->nthreads], NULL, worker, p))
			break;
	if (!p->nthreads) {
		eng_pool_stop(p);
		return NULL;
	}
	return p;
}

void
eng_pool_submit(struct eng_pool *p, struct eng_batch *b)
{
	size_t parts = (size_t)p->nthreads < b->n ? (size_t)p->nthreads : b->n;
	pthread_mutex_lock(&p->mu);
	b->pending = (int)parts;
	for (size_t k = 0; k < parts; k++) {
		while (p->count == p->cap)
			pthread_cond_wait(&p->done, &p->mu);
		p->queue[(p->head + p->count++) % p->cap] = (struct part){ b, b->n * k / parts, b->n * (k + 1) / parts };
	}
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->mu);
}

void
eng_pool_wait(struct eng_pool *p, struct eng_batch *b)
{
	pthread_mutex_lock(&p->mu);
	while (b->pending)
		pthread_cond_wait(&p->done, &p->mu);
	pthread_mutex_unlock(&p->mu);
}

void
eng_pool_stop(struct eng_pool *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->stop = 1;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->mu);
	for (int i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], NULL);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->done);
	free(p->queue);
	free(p->threads);
	free(p);
}

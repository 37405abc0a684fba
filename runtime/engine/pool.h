/*
 * A few threads that run batches of independent work: a batch of n items
 * is split into one part per thread; the caller waits for the batch when it
 * needs its results. Several batches may be in flight (a run evaluates one
 * chunk of pupils while it reads the next and writes the one before).
 */
#ifndef ENG_POOL_H
#define ENG_POOL_H

#include <stddef.h>

struct eng_batch {
	void (*fn)(void *arg, size_t from, size_t to); /* items [from, to) */
	void *arg;
	size_t n;
	int pending;            /* parts not finished yet (the pool's to change) */
};

struct eng_pool;

/* NULL when out of memory or no thread could be started. */
struct eng_pool *eng_pool_start(int nthreads);
void eng_pool_submit(struct eng_pool *p, struct eng_batch *b);
void eng_pool_wait(struct eng_pool *p, struct eng_batch *b);
/* Finishes what was submitted, then ends the threads. */
void eng_pool_stop(struct eng_pool *p);

#endif

/*
 * The marks' rows on their way into `marks`. Rows are written BATCH at a time
 * through one multi-row INSERT (much cheaper per row than a statement per row),
 * in the order they came. With two jobs the writing runs on a thread of its own
 * while the caller reads, parses and checks the next rows: SQLite's inserts are
 * most of an import, the caller's work the rest. The connection is opened
 * without SQLite's mutex, so every use of it, by either thread, is inside
 * reg_rows_hold/reg_rows_release. The SQL and its order are the same with one
 * job or two, and so is the register.
 */
#include "runtime/register/store_impl.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BATCH 256                 /* rows in one INSERT (64: 4% more instructions; 1024: 1% fewer) */
#define CHUNK (4 * BATCH)         /* rows handed to the writer at a time */
#define NCHUNKS 4                 /* chunks filled, queued or being written */

struct reg_rows {
	struct reg_store *store;
	sqlite3_stmt *insert, *insert_batch;
	struct reg_mark_row *chunk[NCHUNKS];
	size_t nrows[NCHUNKS];
	size_t head, queued;      /* the oldest queued chunk; chunks queued or being written */
	size_t filling;           /* the chunk the caller fills */
	int threaded, closing, failed;
	int db_busy, caller_waits, writer_waits; /* the connection in use; who waits for it (the caller goes first) */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t db_free;   /* db_busy cleared */
	pthread_cond_t queue;     /* a chunk queued, written, or closing */
	char error[sizeof ((struct reg_store *)0)->error];
};

void
reg_rows_hold(struct reg_rows *w)
{
	if (!w || !w->threaded)
		return;
	pthread_mutex_lock(&w->lock);
	w->caller_waits++;
	while (w->db_busy)
		pthread_cond_wait(&w->db_free, &w->lock);
	w->caller_waits--;
	w->db_busy = 1;
	pthread_mutex_unlock(&w->lock);
}

void
reg_rows_release(struct reg_rows *w)
{
	if (!w || !w->threaded)
		return;
	pthread_mutex_lock(&w->lock);
	w->db_busy = 0;
	if (w->caller_waits || w->writer_waits)
		pthread_cond_broadcast(&w->db_free);
	pthread_mutex_unlock(&w->lock);
}

/* The writer's own hold: it waits while the caller wants the connection, so a
 * caller's read of one row never waits for more than one INSERT. */
static void
writer_hold(struct reg_rows *w)
{
	pthread_mutex_lock(&w->lock);
	w->writer_waits++;
	while (w->db_busy || w->caller_waits)
		pthread_cond_wait(&w->db_free, &w->lock);
	w->writer_waits--;
	w->db_busy = 1;
	pthread_mutex_unlock(&w->lock);
}

static void
bind_row(sqlite3_stmt *st, int base, const struct reg_mark_row *r)
{
	sqlite3_bind_int64(st, base + 1, r->pupil_id);
	sqlite3_bind_text(st, base + 2, r->date, 10, SQLITE_STATIC);
	sqlite3_bind_text(st, base + 3, r->pm ? "PM" : "AM", 2, SQLITE_STATIC);
	sqlite3_bind_text(st, base + 4, r->code, -1, SQLITE_STATIC);
	if (r->minutes_late >= 0)
		sqlite3_bind_int(st, base + 5, r->minutes_late);
	else
		sqlite3_bind_null(st, base + 5);
	if (r->arrival[0])
		sqlite3_bind_text(st, base + 6, r->arrival, 5, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, base + 6);
}

/* Writes n rows: whole batches through the batch statement, the rest one at a
 * time. 0, or -1 with w->error set. */
static int
write_rows(struct reg_rows *w, const struct reg_mark_row *rows, size_t n)
{
	for (size_t i = 0; i < n;) {
		size_t per = n - i >= BATCH ? BATCH : 1;
		sqlite3_stmt *st = per == BATCH ? w->insert_batch : w->insert;
		if (w->threaded)
			writer_hold(w);
		for (size_t j = 0; j < per; j++)
			bind_row(st, (int)j * 6, &rows[i + j]);
		int rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			snprintf(w->error, sizeof w->error, "%s: cannot write marks: %s", w->store->path,
			         sqlite3_errmsg(w->store->db));
		if (w->threaded)
			reg_rows_release(w);
		if (rc != SQLITE_DONE)
			return -1;
		i += per;
	}
	return 0;
}

static void *
writer(void *arg)
{
	struct reg_rows *w = arg;
	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (!w->queued && !w->closing)
			pthread_cond_wait(&w->queue, &w->lock);
		if (!w->queued)
			break;
		size_t c = w->head;
		int failed = w->failed;
		pthread_mutex_unlock(&w->lock);
		/* After a failure the rest is only taken off the queue: the caller rolls back. */
		int rc = failed ? 0 : write_rows(w, w->chunk[c], w->nrows[c]);
		pthread_mutex_lock(&w->lock);
		w->failed |= rc != 0;
		w->head = (w->head + 1) % NCHUNKS;
		w->queued--;
		pthread_cond_signal(&w->queue);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

static int
prepare_batch(struct reg_rows *w)
{
	static const char head[] = "INSERT INTO marks (pupil_id, date, session, code, minutes_late, arrival) VALUES ";
	char *sql = malloc(sizeof head + BATCH * 20);
	if (!sql)
		return reg_fail(w->store, "out of memory");
	char *p = sql + sprintf(sql, "%s", head);
	for (int i = 0; i < BATCH; i++)
		p += sprintf(p, "%s(?,?,?,?,?,?)", i ? "," : "");
	int rc = reg_prepare(w->store, sql, &w->insert_batch);
	free(sql);
	return rc;
}

int
reg_rows_open(struct reg_store *store, int jobs, struct reg_rows **out)
{
	struct reg_rows *w = calloc(1, sizeof *w);
	*out = w;
	if (!w)
		return reg_fail(store, "out of memory");
	w->store = store;
	int nchunks = jobs > 1 ? NCHUNKS : 1;
	for (int i = 0; i < nchunks; i++)
		if (!(w->chunk[i] = malloc(CHUNK * sizeof *w->chunk[i])))
			return reg_fail(store, "out of memory");
	if (reg_prepare(store, "INSERT INTO marks (pupil_id, date, session, code, minutes_late, arrival)"
	                       " VALUES (?, ?, ?, ?, ?, ?)", &w->insert) || prepare_batch(w))
		return -1;
	if (jobs > 1 && pthread_mutex_init(&w->lock, NULL) == 0) {
		if (pthread_cond_init(&w->db_free, NULL) == 0) {
			if (pthread_cond_init(&w->queue, NULL) == 0) {
				w->threaded = pthread_create(&w->thread, NULL, writer, w) == 0;
				if (!w->threaded)
					pthread_cond_destroy(&w->queue);
			}
			if (!w->threaded)
				pthread_cond_destroy(&w->db_free);
		}
		if (!w->threaded)
			pthread_mutex_destroy(&w->lock);
	}
	return 0;   /* no thread (one job, or none could start): the rows are written in the caller's */
}

/* The writer's failure, as the store's error: -1. */
static int
writer_failed(struct reg_rows *w)
{
	return reg_fail(w->store, "%s", w->error);
}

/* Hands the full chunk to the writer (or writes it, with one job) and starts the next. */
static int
submit(struct reg_rows *w)
{
	if (!w->threaded) {
		size_t n = w->nrows[0];
		w->nrows[0] = 0;
		return write_rows(w, w->chunk[0], n) ? writer_failed(w) : 0;
	}
	pthread_mutex_lock(&w->lock);
	w->queued++;
	pthread_cond_signal(&w->queue);
	while (w->queued == NCHUNKS && !w->failed)
		pthread_cond_wait(&w->queue, &w->lock);
	int rc = w->failed;
	pthread_mutex_unlock(&w->lock);
	w->filling = (w->filling + 1) % NCHUNKS;
	w->nrows[w->filling] = 0;
	return rc ? writer_failed(w) : 0;
}

int
reg_rows_add(struct reg_rows *w, const struct reg_mark_row *row)
{
	w->chunk[w->filling][w->nrows[w->filling]++] = *row;
	return w->nrows[w->filling] == CHUNK ? submit(w) : 0;
}

/* Stops the writer once the queue is empty: 0, or -1 when it failed. */
static int
stop(struct reg_rows *w)
{
	if (!w->threaded)
		return 0;
	pthread_mutex_lock(&w->lock);
	w->closing = 1;
	pthread_cond_signal(&w->queue);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	pthread_cond_destroy(&w->queue);
	pthread_cond_destroy(&w->db_free);
	pthread_mutex_destroy(&w->lock);
	w->threaded = 0;
	return w->failed ? -1 : 0;
}

int
reg_rows_close(struct reg_rows *w)
{
	if (w->threaded && w->nrows[w->filling] && submit(w))
		return stop(w), -1;
	if (stop(w))
		return writer_failed(w);
	size_t n = w->nrows[w->filling];
	w->nrows[w->filling] = 0;
	return write_rows(w, w->chunk[w->filling], n) ? writer_failed(w) : 0;
}

int
reg_rows_drain(struct reg_rows *w)
{
	return w && stop(w) ? writer_failed(w) : 0;
}

void
reg_rows_free(struct reg_rows *w)
{
	if (!w)
		return;
	if (w->threaded) {
		pthread_mutex_lock(&w->lock);
		w->failed = 1;    /* what is still queued is dropped: the import is rolled back */
		pthread_mutex_unlock(&w->lock);
		stop(w);
	}
	sqlite3_finalize(w->insert);
	sqlite3_finalize(w->insert_batch);
	for (int i = 0; i < NCHUNKS; i++)
		free(w->chunk[i]);
	free(w);
}

/*
 * The book of rule states read straight from the register (history.h):
 * the decisions arrive in recording order, pupils and days mixed
 * (reg_history_states), so each pupil's entry is found through a hash of
 * pupil ids, and a decision replaces a rule's state only when it is not
 * older than the one that set it: the same states as applying them in
 * pupil, date, recording order, without sorting or copying the rows.
 */
#include "runtime/engine/history.h"

#include <stdlib.h>
#include <string.h>

struct loader {
	const struct rt_program *prog;
	struct eng_history_book *book;
	size_t nr;                           /* rules per pupil, at least 1 */
	rt_date *set_on;                     /* n * nr: the date of the decision that set held[] */
	uint32_t *table;                     /* open addressing: book index + 1, or 0 */
	size_t size;                         /* a power of two, more than twice book->n */
	int failed;
};

static size_t
slot_of(const struct loader *ld, int64_t pupil_id)
{
	uint64_t h = (uint64_t)pupil_id * 0x9E3779B97F4A7C15u;
	size_t i = (size_t)(h >> 32) & (ld->size - 1);
	while (ld->table[i] && ld->book->pupil_ids[ld->table[i] - 1] != pupil_id)
		i = (i + 1) & (ld->size - 1);
	return i;
}

static int
grow_table(struct loader *ld)
{
	size_t size = ld->size ? 2 * ld->size : 1024;
	uint32_t *old = ld->table;
	ld->table = calloc(size, sizeof *ld->table);
	if (!ld->table) {
		ld->table = old;
		return -1;
	}
	ld->size = size;
	for (size_t i = 0; i < ld->book->n; i++)
		ld->table[slot_of(ld, ld->book->pupil_ids[i])] = (uint32_t)i + 1;
	free(old);
	return 0;
}

/* A new pupil's entry: nothing held, nothing set. */
static int
add_pupil(struct loader *ld, int64_t pupil_id)
{
	struct eng_history_book *book = ld->book;
	if (book->n == book->cap) {
		size_t cap = book->cap ? 2 * book->cap : 64;
		int64_t *ids = realloc(book->pupil_ids, cap * sizeof *ids);
		if (ids)
			book->pupil_ids = ids;
		rt_date *held = realloc(book->held, cap * ld->nr * sizeof *held);
		if (held)
			book->held = held;
		rt_date *set_on = realloc(ld->set_on, cap * ld->nr * sizeof *set_on);
		if (set_on)
			ld->set_on = set_on;
		if (!ids || !held || !set_on || cap > UINT32_MAX - 1)
			return -1;
		book->cap = cap;
	}
	book->pupil_ids[book->n] = pupil_id;
	eng_history_clear(book->held + book->n * ld->nr, ld->nr);
	for (size_t r = 0; r < ld->nr; r++)
		ld->set_on[book->n * ld->nr + r] = RT_DATE_MIN;
	book->n++;
	return 0;
}

static int
take(void *ctx, const struct reg_decision *d)
{
	struct loader *ld = ctx;
	int r = eng_history_rule_of(ld->prog, d);
	if (r < 0)
		return 0;
	if (2 * (ld->book->n + 1) > ld->size && grow_table(ld))
		return ld->failed = 1;
	size_t i = slot_of(ld, d->pupil_id);
	if (!ld->table[i]) {
		if (add_pupil(ld, d->pupil_id))
			return ld->failed = 1;
		ld->table[i] = (uint32_t)ld->book->n;
	}
	size_t at = (ld->table[i] - 1) * ld->nr + (size_t)r;
	/* Recording order: of two decisions on the same day the later one wins. */
	if (d->as_of >= ld->set_on[at]) {
		ld->set_on[at] = d->as_of;
		ld->book->held[at] = d->event == REG_EVENT_ENTERED ? d->as_of : RT_DATE_MAX;
	}
	return 0;
}

struct entry {
	int64_t pupil_id;
	size_t at;
};

static int
by_pupil(const void *a, const void *b)
{
	int64_t x = ((const struct entry *)a)->pupil_id, y = ((const struct entry *)b)->pupil_id;
	return (x > y) - (x < y);
}

/* eng_history_book_find searches pupil ids in ascending order. */
static int
sort_book(struct eng_history_book *book, size_t nr)
{
	struct entry *order = malloc((book->n + 1) * sizeof *order);
	rt_date *held = malloc((book->n + 1) * nr * sizeof *held);
	if (!order || !held) {
		free(order);
		free(held);
		return -1;
	}
	for (size_t i = 0; i < book->n; i++)
		order[i] = (struct entry){ book->pupil_ids[i], i };
	qsort(order, book->n, sizeof *order, by_pupil);
	for (size_t i = 0; i < book->n; i++) {
		book->pupil_ids[i] = order[i].pupil_id;
		memcpy(held + i * nr, book->held + order[i].at * nr, nr * sizeof *held);
	}
	free(order);
	free(book->held);
	book->held = held;
	book->cap = book->n;
	return 0;
}

int
eng_history_book_load(struct eng_history_book *book, const struct rt_program *prog, struct reg_store *store,
                      const char *policy, rt_date before, const char *upn)
{
	memset(book, 0, sizeof *book);
	book->nrules = prog->nrules;
	struct loader ld = { prog, book, prog->nrules ? prog->nrules : 1, NULL, NULL, 0, 0 };
	int rc = reg_history_states(store, policy, before, upn, take, &ld);
	free(ld.table);
	free(ld.set_on);
	if (rc == 0 && sort_book(book, ld.nr))
		rc = 1, ld.failed = 1;
	if (rc) {
		eng_history_book_free(book);
		return ld.failed ? 1 : -1;
	}
	return 0;
}

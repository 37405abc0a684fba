/* The codes dictionary: the small ids that pupil_marks stores per session. */
#include "runtime/register/store_impl.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#define NSLOTS (sizeof ((struct reg_codebook *)0)->keys / sizeof (uint32_t))

int
reg_code_is_valid(const char *code, size_t len)
{
	if (len < 1 || len > 4)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = code[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '/' || c == '\\' || c == '#' ||
		      c == '-'))
			return 0;
	}
	return 1;
}

/* Codes are at most 4 bytes, none of them NUL: the packed bytes are the key. */
static uint32_t
pack(const char *code, size_t len)
{
	uint32_t k = 0;
	for (size_t i = 0; i < len && i < 4; i++)
		k |= (uint32_t)(unsigned char)code[i] << (8 * i);
	return k;
}

static size_t
slot_of(uint32_t key)
{
	return (key * 2654435761u) >> 23; /* top 9 bits: 0..511 */
}

int
reg_codebook_find(const struct reg_codebook *book, const char *code, size_t len)
{
	uint32_t key = pack(code, len);
	for (size_t s = slot_of(key);; s = (s + 1) % NSLOTS) {
		if (book->ids[s] == 0)
			return 0;
		if (book->keys[s] == key)
			return book->ids[s];
	}
}

static void
remember(struct reg_codebook *book, const char *code, size_t len, int id)
{
	uint32_t key = pack(code, len);
	size_t s = slot_of(key);
	while (book->ids[s] != 0)
		s = (s + 1) % NSLOTS;
	book->keys[s] = key;
	book->ids[s] = (uint8_t)id;
	memcpy(book->names[id], code, len);
	book->names[id][len] = '\0';
	if (id >= book->next_id)
		book->next_id = id + 1;
}

int
reg_codebook_load(struct reg_store *store, struct reg_codebook *book)
{
	memset(book, 0, sizeof *book);
	book->next_id = 1;
	sqlite3_stmt *st;
	if (reg_prepare(store, "SELECT id, code FROM codes ORDER BY id", &st))
		return -1;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int id = sqlite3_column_int(st, 0);
		const char *code = (const char *)sqlite3_column_text(st, 1);
		size_t len = code ? strlen(code) : 0;
		if (id < 1 || id > REG_MAX_CODE_ID || !reg_code_is_valid(code, len)) {
			sqlite3_finalize(st);
			return reg_fail(store, "%s: the codes table holds a bad entry (id %d)", store->path, id);
		}
		remember(book, code, len, id);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : reg_fail_db(store, "cannot read codes");
}

int
reg_codebook_add(struct reg_store *store, struct reg_codebook *book, const char *code, size_t len)
{
	if (book->next_id > REG_MAX_CODE_ID)
		return -1;
	int id = book->next_id;
	sqlite3_stmt *st;
	if (reg_prepare(store, "INSERT INTO codes (id, code) VALUES (?, ?)", &st))
		return -2;
	sqlite3_bind_int(st, 1, id);
	sqlite3_bind_text(st, 2, code, (int)len, SQLITE_TRANSIENT);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		reg_fail_db(store, "cannot add a code");
		return -2;
	}
	remember(book, code, len, id);
	return id;
}

int
reg_codes(struct reg_store *store, char ***names, size_t *n)
{
	struct reg_codebook *book = malloc(sizeof *book);
	*names = NULL;
	*n = 0;
	if (!book)
		return reg_fail(store, "out of memory");
	if (reg_codebook_load(store, book)) {
		free(book);
		return -1;
	}
	size_t count = (size_t)book->next_id;
	char **out = calloc(count, sizeof *out);
	if (!out) {
		free(book);
		return reg_fail(store, "out of memory");
	}
	for (size_t id = 1; id < count; id++) {
		if (!book->names[id][0])
			continue;            /* an id never used: stays NULL */
		out[id] = strdup(book->names[id]);
		if (!out[id]) {
			reg_free_codes(out, count);
			free(book);
			return reg_fail(store, "out of memory");
		}
	}
	free(book);
	*names = out;
	*n = count;
	return 0;
}

void
reg_free_codes(char **names, size_t n)
{
	if (!names)
		return;
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

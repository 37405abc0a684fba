/* Shared by the unit tests that look into a register with SQL: the one
 * integer a query returns, failing the test when there is no row. */
#ifndef STORE_QUERY_H
#define STORE_QUERY_H

#include <sqlite3.h>

#include "runtime/register/store.h"

static inline long
query_int(struct reg_store *store, const char *sql)
{
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(reg_db(store), sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	long v = (long)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

#endif

/* Notices to improve, read from the decision history (a policy's `notice to improve` is the flag
 * notice_to_improve there): what `attend notice list` shows beside the penalty notices. */
#include "runtime/register/store_impl.h"

#include <sqlite3.h>
#include <string.h>

static const char improve_sql[] =
	"SELECT p.upn, d.policy, d.as_of,"
	" (SELECT MIN(e.as_of) FROM decisions e WHERE e.policy = d.policy AND e.pupil_id = d.pupil_id"
	"  AND e.kind = 'flag' AND e.name = d.name AND e.event = 'left' AND e.as_of > d.as_of)"
	" FROM decisions d JOIN pupils p ON p.id = d.pupil_id"
	" WHERE d.kind = 'flag' AND d.name = '" RT_IMPROVE_NAME "' AND d.event = 'entered'"
	" AND (?1 IS NULL OR p.upn = ?1) ORDER BY p.upn, d.as_of, d.policy";

static rt_date
date_column(sqlite3_stmt *st, int col, rt_date none)
{
	const char *s = (const char *)sqlite3_column_text(st, col);
	rt_date d;
	return s && rt_date_parse(s, strlen(s), &d) == 0 ? d : none;
}

int
reg_improve_each(struct reg_store *store, const char *upn,
                 int (*each)(const struct reg_improve_notice *n, void *ctx), void *ctx)
{
	sqlite3_stmt *st;
	if (reg_prepare(store, improve_sql, &st))
		return -1;
	if (upn)
		sqlite3_bind_text(st, 1, upn, -1, SQLITE_STATIC);
	int rc, stop = 0;
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct reg_improve_notice n = {
			.upn = (const char *)sqlite3_column_text(st, 0),
			.policy = (const char *)sqlite3_column_text(st, 1),
			.given = date_column(st, 2, RT_DATE_MIN),
			.ended = date_column(st, 3, RT_DATE_MAX),
		};
		stop = each(&n, ctx);
	}
	sqlite3_finalize(st);
	if (stop)
		return stop;
	return rc == SQLITE_DONE ? 0 : reg_fail_db(store, "cannot read the notices to improve");
}

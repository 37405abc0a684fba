/* Parents and penalty notices: `parents` (imported) and `notices` (attend notice). */
#include "runtime/register/store_impl.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

static const char *const states[] = { "issued", "paid", "withdrawn", "prosecuted" };

const char *
reg_notice_state_name(int state)
{
	return state >= 0 && state <= REG_NOTICE_PROSECUTED ? states[state] : "?";
}

static int
state_of(const char *s)
{
	for (int i = 0; i <= REG_NOTICE_PROSECUTED; i++)
		if (s && strcmp(s, states[i]) == 0)
			return i;
	return -1;
}

/* ---- import: upn,parent_id,name[,relationship][,address] ---- */

enum { C_UPN, C_PARENT, C_NAME, C_RELATIONSHIP, C_ADDRESS, C__COUNT };
static const char *const columns[C__COUNT] = { "upn", "parent_id", "name", "relationship", "address" };

static void
import_parent(struct reg_importer *imp, sqlite3_stmt *find, sqlite3_stmt *upsert)
{
	long line = imp->csv.line;
	size_t len[C__COUNT];
	const char *f[C__COUNT];
	for (size_t c = 0; c < C__COUNT; c++)
		f[c] = reg_import_field(imp, c, &len[c]);
	if (!len[C_UPN])
		reg_import_problem(imp, line, "upn", "is empty");
	if (!len[C_PARENT])
		reg_import_problem(imp, line, "parent_id", "is empty");
	if (!len[C_NAME])
		reg_import_problem(imp, line, "name", "is empty");
	if (!len[C_UPN] || !len[C_PARENT] || !len[C_NAME])
		return;
	sqlite3_bind_text(find, 1, f[C_UPN], (int)len[C_UPN], SQLITE_STATIC);
	int rc = sqlite3_step(find);
	int64_t pupil = rc == SQLITE_ROW ? sqlite3_column_int64(find, 0) : 0;
	sqlite3_reset(find);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		imp->failed = reg_fail_db(imp->store, "cannot read pupils");
		return;
	}
	if (rc == SQLITE_DONE) {
		reg_import_problem(imp, line, "upn", "unknown pupil \"%s\"", f[C_UPN]);
		return;
	}
	if (imp->errors)
		return;
	sqlite3_bind_int64(upsert, 1, pupil);
	sqlite3_bind_text(upsert, 2, f[C_PARENT], (int)len[C_PARENT], SQLITE_STATIC);
	sqlite3_bind_text(upsert, 3, f[C_NAME], (int)len[C_NAME], SQLITE_STATIC);
	reg_bind_optional(upsert, 4, f[C_RELATIONSHIP], len[C_RELATIONSHIP]);
	reg_bind_optional(upsert, 5, f[C_ADDRESS], len[C_ADDRESS]);
	rc = sqlite3_step(upsert);
	sqlite3_reset(upsert);
	if (rc != SQLITE_DONE)
		imp->failed = reg_fail_db(imp->store, "cannot write parents");
	else
		imp->rows++;
}

int
reg_import_parents(struct reg_importer *imp)
{
	if (reg_import_columns(imp, columns, C__COUNT, 3))
		return 0;
	sqlite3_stmt *find = NULL, *upsert = NULL;
	if (reg_prepare_scoped(imp->store, "SELECT id FROM pupils WHERE upn = ? AND school = :school", &find) ||
	    reg_prepare(imp->store,
	                     "INSERT INTO parents (pupil_id, parent_id, name, relationship, address) VALUES (?, ?, ?, ?, ?)"
	                     " ON CONFLICT (pupil_id, parent_id) DO UPDATE SET name = excluded.name,"
	                     " relationship = coalesce(excluded.relationship, relationship),"
	                     " address = coalesce(excluded.address, address)",
	                     &upsert)) {
		sqlite3_finalize(find);
		return imp->failed = -1;
	}
	while (!imp->failed && reg_import_next(imp) == 1)
		import_parent(imp, find, upsert);
	sqlite3_finalize(find);
	sqlite3_finalize(upsert);
	return imp->failed ? -1 : 0;
}

/* ---- reading ---- */

static char *
dup_column(sqlite3_stmt *st, int col)
{
	char buf[512];
	const char *s = reg_text(st, col, buf, sizeof buf);
	return s ? strdup(s) : NULL;
}

static int
grow(void **items, size_t n, size_t *cap, size_t size)
{
	if (n < *cap)
		return 0;
	size_t c = *cap ? 2 * *cap : 16;
	void *p = realloc(*items, c * size);
	if (!p)
		return -1;
	*items = p;
	*cap = c;
	return 0;
}

static int
load_parents(struct reg_store *store, const char *upn, struct reg_penalties *out)
{
	sqlite3_stmt *st;
	const char *sql = upn ? "SELECT a.pupil_id, a.parent_id, a.name, a.relationship, a.address FROM parents a"
	                        " JOIN pupils p ON p.id = a.pupil_id WHERE p.upn = ? AND p.school = :school ORDER BY 1, 2"
	                      /* parents the outer loop, each pupil's school found by rowid: nothing is
	                       * built for a register without parents (IN (SELECT ...) indexed every pupil) */
	                      : "SELECT a.pupil_id, a.parent_id, a.name, a.relationship, a.address FROM parents a"
	                        " CROSS JOIN pupils p ON p.id = a.pupil_id WHERE p.school = :school ORDER BY 1, 2";
	if (reg_prepare_scoped(store, sql, &st))
		return -1;
	if (upn)
		sqlite3_bind_text(st, 1, upn, -1, SQLITE_STATIC);
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (grow((void **)&out->parents, out->nparents, &cap, sizeof *out->parents))
			break;
		struct reg_parent *p = &out->parents[out->nparents++];
		*p = (struct reg_parent){ sqlite3_column_int64(st, 0), dup_column(st, 1), dup_column(st, 2),
			                       dup_column(st, 3), dup_column(st, 4) };
		if (!p->parent_id || !p->name)
			break;
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return reg_fail(store, "out of memory");
	return rc == SQLITE_DONE ? 0 : reg_fail_db(store, "cannot read parents");
}

static int compare_notices(const void *a, const void *b);

/* The school's own notices, then (`other`) those the register holds for the
 * same children at its other schools, as notices of this school's pupil
 * recorded at that school (a child who moved keeps their history). */
static int
load_notices(struct reg_store *store, const char *upn, int other, struct reg_penalties *out)
{
	sqlite3_stmt *st;
	/* notices the outer loop (CROSS JOIN): a register without notices reads no pupil */
	const char *own =
		"SELECT n.id, n.pupil_id, p.upn, n.parent_id, n.ordinal, n.issued, n.amount_pence, n.within_days,"
		" coalesce(n.later_amount_pence, 0), coalesce(n.later_within_days, 0), n.state, n.state_on, NULL,"
		" coalesce(n.unpaid_days, 0), n.unpaid_action"
		" FROM notices n CROSS JOIN pupils p ON p.id = n.pupil_id WHERE (?1 IS NULL OR p.upn = ?1)"
		" AND p.school = :school ORDER BY n.pupil_id, n.parent_id, n.issued, n.id";
	const char *others =
		"SELECT n.id, q.id, p.upn, n.parent_id, n.ordinal, n.issued, n.amount_pence, n.within_days,"
		" coalesce(n.later_amount_pence, 0), coalesce(n.later_within_days, 0), n.state, n.state_on, p.school,"
		" coalesce(n.unpaid_days, 0), n.unpaid_action"
		" FROM notices n CROSS JOIN pupils p ON p.id = n.pupil_id JOIN pupils q ON q.upn = p.upn"
		" WHERE (?1 IS NULL OR p.upn = ?1) AND q.school = :school AND p.school <> :school";
	if (reg_prepare_scoped(store, other ? others : own, &st))
		return -1;
	if (upn)
		sqlite3_bind_text(st, 1, upn, -1, SQLITE_STATIC);
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (grow((void **)&out->notices, out->nnotices, &cap, sizeof *out->notices))
			break;
		struct reg_notice *n = &out->notices[out->nnotices++];
		*n = (struct reg_notice){ .id = sqlite3_column_int64(st, 0), .pupil_id = sqlite3_column_int64(st, 1),
			                       .upn = dup_column(st, 2), .parent_id = dup_column(st, 3),
			                       .ordinal = sqlite3_column_int(st, 4),
			                       .pence = sqlite3_column_int64(st, 6), .days = sqlite3_column_int(st, 7),
			                       .later_pence = sqlite3_column_int64(st, 8),
			                       .later_days = sqlite3_column_int(st, 9), .school = dup_column(st, 12),
			                       .unpaid_days = sqlite3_column_int(st, 13),
			                       .unpaid_action = sqlite3_column_type(st, 14) == SQLITE_NULL ? NULL : dup_column(st, 14) };
		const char *issued = (const char *)sqlite3_column_text(st, 5);
		const char *on = (const char *)sqlite3_column_text(st, 11);
		int state = state_of((const char *)sqlite3_column_text(st, 10));
		if (!n->upn || !n->parent_id)
			break;
		if (!issued || !on || state < 0 || rt_date_parse(issued, strlen(issued), &n->issued) ||
		    rt_date_parse(on, strlen(on), &n->state_on)) {
			sqlite3_finalize(st);
			return reg_fail(store, "%s: notice %lld is malformed", store->path, (long long)n->id);
		}
		n->state = (uint8_t)state;
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return reg_fail(store, "out of memory");
	return rc == SQLITE_DONE ? 0 : reg_fail_db(store, "cannot read notices");
}

int
reg_penalties_load(struct reg_store *store, const char *upn, struct reg_penalties *out)
{
	memset(out, 0, sizeof *out);
	if (load_parents(store, upn, out) || load_notices(store, upn, 0, out)) {
		reg_penalties_free(out);
		return -1;
	}
	size_t own = out->nnotices;
	if (load_notices(store, upn, 1, out)) {
		reg_penalties_free(out);
		return -1;
	}
	if (out->nnotices > own)
		qsort(out->notices, out->nnotices, sizeof *out->notices, compare_notices);
	return 0;
}

void
reg_penalties_free(struct reg_penalties *p)
{
	for (size_t i = 0; i < p->nparents; i++) {
		free(p->parents[i].parent_id);
		free(p->parents[i].name);
		free(p->parents[i].relationship);
		free(p->parents[i].address);
	}
	for (size_t i = 0; i < p->nnotices; i++) {
		free(p->notices[i].upn);
		free(p->notices[i].parent_id);
		free(p->notices[i].school);
		free(p->notices[i].unpaid_action);
	}
	free(p->parents);
	free(p->notices);
	memset(p, 0, sizeof *p);
}

static int
compare_notices(const void *a, const void *b)
{
	const struct reg_notice *x = a, *y = b;
	if (x->pupil_id != y->pupil_id)
		return x->pupil_id < y->pupil_id ? -1 : 1;
	int c = strcmp(x->parent_id, y->parent_id);
	if (c)
		return c;
	return x->issued < y->issued ? -1 : x->issued > y->issued;
}

/* A copy of `n` for pupil `pupil` of this register, recorded at school `urn`. */
static int
copy_notice(struct reg_notice *out, const struct reg_notice *n, int64_t pupil, const char *urn)
{
	*out = *n;
	out->pupil_id = pupil;
	out->upn = strdup(n->upn);
	out->parent_id = strdup(n->parent_id);
	out->school = strdup(urn);
	out->unpaid_action = n->unpaid_action ? strdup(n->unpaid_action) : NULL;
	return out->upn && out->parent_id && out->school && (out->unpaid_action || !n->unpaid_action) ? 0 : -1;
}

int
reg_penalties_merge(struct reg_store *store, struct reg_penalties *into, const struct reg_penalties *from,
                    const char *urn)
{
	sqlite3_stmt *find;
	if (!from->nnotices)
		return 0;
	if (reg_prepare_scoped(store, "SELECT id FROM pupils WHERE upn = ? AND school = :school", &find))
		return -1;
	size_t cap = into->nnotices;
	int rc = 0;
	for (size_t i = 0; i < from->nnotices && !rc; i++) {
		if (from->notices[i].school)
			continue;         /* that register's copy of a notice from elsewhere: counted where it was issued */
		sqlite3_bind_text(find, 1, from->notices[i].upn, -1, SQLITE_STATIC);
		int step = sqlite3_step(find);
		int64_t pupil = step == SQLITE_ROW ? sqlite3_column_int64(find, 0) : 0;
		sqlite3_reset(find);
		if (step != SQLITE_ROW && step != SQLITE_DONE)
			rc = reg_fail_db(store, "cannot read pupils");
		else if (step == SQLITE_ROW &&
		         (grow((void **)&into->notices, into->nnotices, &cap, sizeof *into->notices) ||
		          copy_notice(&into->notices[into->nnotices++], &from->notices[i], pupil, urn)))
			rc = reg_fail(store, "out of memory");
	}
	sqlite3_finalize(find);
	qsort(into->notices, into->nnotices, sizeof *into->notices, compare_notices);
	return rc;
}

/* ---- writing ---- */

static int
finish(struct reg_store *store, int status)
{
	if (status == 0 && reg_exec(store, "COMMIT") == 0)
		return 0;
	sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
	return status ? status : -1;
}

int
reg_notice_issue(struct reg_store *store, const char *upn, const char *parent_id, int ordinal, rt_date issued,
                      int64_t pence, int days, int64_t later_pence, int later_days, const struct reg_unpaid *unpaid,
                      int64_t *id)
{
	char date[11];
	rt_date_format(issued, date);
	sqlite3_stmt *find, *insert;
	if (reg_exec(store, "BEGIN IMMEDIATE"))
		return -1;
	if (reg_prepare_scoped(store,
	                     "SELECT p.id, a.parent_id FROM pupils p"
	                     " LEFT JOIN parents a ON a.pupil_id = p.id AND a.parent_id = ?2 WHERE p.upn = ?1"
	                     " AND p.school = :school",
	                     &find))
		return finish(store, -1);
	sqlite3_bind_text(find, 1, upn, -1, SQLITE_STATIC);
	sqlite3_bind_text(find, 2, parent_id, -1, SQLITE_STATIC);
	int rc = sqlite3_step(find);
	int64_t pupil = rc == SQLITE_ROW ? sqlite3_column_int64(find, 0) : 0;
	int has_parent = rc == SQLITE_ROW && sqlite3_column_type(find, 1) != SQLITE_NULL;
	sqlite3_finalize(find);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return finish(store, reg_fail_db(store, "cannot read pupils"));
	if (rc == SQLITE_DONE) {
		reg_fail(store, "no pupil with UPN %s in the register", upn);
		return finish(store, 1);
	}
	if (!has_parent) {
		reg_fail(store, "pupil %s has no parent \"%s\" (import parents: upn,parent_id,name[,relationship])",
		              upn, parent_id);
		return finish(store, 1);
	}
	if (reg_prepare(store,
	                     "INSERT INTO notices (pupil_id, parent_id, ordinal, issued, amount_pence, within_days,"
	                     " later_amount_pence, later_within_days, state, state_on, unpaid_days, unpaid_action)"
	                     " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'issued', ?4, ?9, ?10)",
	                     &insert))
		return finish(store, -1);
	sqlite3_bind_int64(insert, 1, pupil);
	sqlite3_bind_text(insert, 2, parent_id, -1, SQLITE_STATIC);
	sqlite3_bind_int(insert, 3, ordinal);
	sqlite3_bind_text(insert, 4, date, -1, SQLITE_STATIC);
	sqlite3_bind_int64(insert, 5, pence);
	sqlite3_bind_int(insert, 6, days);
	if (later_pence) {
		sqlite3_bind_int64(insert, 7, later_pence);
		sqlite3_bind_int(insert, 8, later_days);
	} else {
		sqlite3_bind_null(insert, 7);
		sqlite3_bind_null(insert, 8);
	}
	if (unpaid && unpaid->days)
		sqlite3_bind_int(insert, 9, unpaid->days);
	if (unpaid && unpaid->action)
		sqlite3_bind_text(insert, 10, unpaid->action, -1, SQLITE_STATIC);
	rc = sqlite3_step(insert);
	sqlite3_finalize(insert);
	if (rc != SQLITE_DONE)
		return finish(store, reg_fail_db(store, "cannot record the notice"));
	*id = sqlite3_last_insert_rowid(store->db);
	return finish(store, 0);
}

/* Payment is possible within the notice's window; prosecution once it is overdue, after the
 * policy's `unpaid after N days` (domain.md §4.2). 1 (the store's error set) when `state` on
 * `date` is out of its time. */
static int
out_of_time(struct reg_store *store, int64_t id, const char *issued, int window, int unpaid, int state, rt_date date)
{
	rt_date on;
	if (rt_date_parse(issued, strlen(issued), &on))
		return 0;
	char last[11], overdue[11];
	rt_date_format(on + window, last);
	rt_date_format(on + unpaid, overdue);
	if (state == REG_NOTICE_PAID && date > on + window) {
		reg_fail(store, "notice %lld could be paid until %s (%d days after issue); unpaid, it is now "
		                "prosecuted or withdrawn", (long long)id, last, window);
		return 1;
	}
	if (state == REG_NOTICE_PROSECUTED && date <= on + window) {
		reg_fail(store, "notice %lld may still be paid until %s; it can be prosecuted only once unpaid "
		                "after that", (long long)id, last);
		return 1;
	}
	if (state == REG_NOTICE_PROSECUTED && date <= on + unpaid) {
		reg_fail(store, "notice %lld is overdue only after %s (unpaid after %d days, as the policy said when it "
		                "was issued); it can be prosecuted after that", (long long)id, overdue, unpaid);
		return 1;
	}
	return 0;
}

int
reg_notice_set_state(struct reg_store *store, int64_t id, int state, rt_date date)
{
	char day[11];
	rt_date_format(date, day);
	sqlite3_stmt *st;
	if (reg_exec(store, "BEGIN IMMEDIATE"))
		return -1;
	if (reg_prepare(store, "SELECT state, issued, max(within_days, coalesce(later_within_days, 0)), "
	                            "max(within_days, coalesce(later_within_days, 0), coalesce(unpaid_days, 0)) "
	                            "FROM notices WHERE id = ?", &st))
		return finish(store, -1);
	sqlite3_bind_int64(st, 1, id);
	int rc = sqlite3_step(st);
	int current = rc == SQLITE_ROW ? state_of((const char *)sqlite3_column_text(st, 0)) : -1;
	char issued[11] = "";
	int window = 0; /* days after issue in which the notice may be paid */
	if (rc == SQLITE_ROW && sqlite3_column_text(st, 1))
		snprintf(issued, sizeof issued, "%s", (const char *)sqlite3_column_text(st, 1));
	int unpaid = 0; /* days after issue from which it is overdue and may be prosecuted */
	if (rc == SQLITE_ROW) {
		window = sqlite3_column_int(st, 2);
		unpaid = sqlite3_column_int(st, 3);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return finish(store, reg_fail_db(store, "cannot read notices"));
	if (rc == SQLITE_DONE) {
		reg_fail(store, "there is no notice %lld", (long long)id);
		return finish(store, 1);
	}
	if (current != REG_NOTICE_ISSUED) {
		reg_fail(store, "notice %lld is already %s", (long long)id, reg_notice_state_name(current));
		return finish(store, 1);
	}
	if (strcmp(day, issued) < 0) {
		reg_fail(store, "notice %lld was issued on %s, after %s", (long long)id, issued, day);
		return finish(store, 1);
	}
	if (out_of_time(store, id, issued, window, unpaid, state, date))
		return finish(store, 1);
	if (reg_prepare(store, "UPDATE notices SET state = ?, state_on = ? WHERE id = ?", &st))
		return finish(store, -1);
	sqlite3_bind_text(st, 1, reg_notice_state_name(state), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, day, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, id);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return finish(store, rc == SQLITE_DONE ? 0 : reg_fail_db(store, "cannot update the notice"));
}

rt_date
reg_notice_unpaid_after(const struct reg_notice *n)
{
	int window = n->later_days > n->days ? n->later_days : n->days;
	return n->issued + (n->unpaid_days > window ? n->unpaid_days : window);
}

int
reg_notice_overdue(const struct reg_notice *n, rt_date as_of)
{
	return n->state == REG_NOTICE_ISSUED && as_of > reg_notice_unpaid_after(n);
}

const char *
reg_notice_unpaid_action(const struct reg_notice *n)
{
	return n->unpaid_action ? n->unpaid_action : "prosecute or withdraw";
}

/* Penalty notices across a local authority's schools: issuing within the cap, the notice register. */
#include "runtime/tools/la.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "runtime/base/text.h"
#include "runtime/engine/engine.h"

struct reg_penalties *
tool_la_penalties_load(struct tool_la *la, const char *upn)
{
	struct reg_penalties *all = calloc(la->n + 1, sizeof *all);
	for (size_t i = 0; all && i < la->n; i++) {
		struct reg_store *store;
		if (tool_la_register(la, &la->schools[i], 0, &store))
			continue;
		if (reg_penalties_load(store, upn, &all[i]))
			tool_la_problem(la, &la->schools[i], "%s", reg_error(store));
		reg_close(store);
	}
	return all;
}

void
tool_la_penalties_free(struct tool_la *la, struct reg_penalties *all)
{
	for (size_t i = 0; all && i < la->n; i++)
		reg_penalties_free(&all[i]);
	free(all);
}

/* Whether two schools share one register file: its notices at every school
 * it holds are already loaded with either (reg_penalties_load). */
static int
same_register(const struct tool_la_school *a, const struct tool_la_school *b)
{
	struct stat x, y;
	return a->reg && b->reg && stat(a->reg, &x) == 0 && stat(b->reg, &y) == 0 && x.st_dev == y.st_dev &&
	       x.st_ino == y.st_ino;
}

struct eng_elsewhere *
tool_la_elsewhere(const struct tool_la *la, const struct reg_penalties *all, size_t school, size_t *n)
{
	struct eng_elsewhere *e = calloc(la->n + 1, sizeof *e);
	*n = 0;
	for (size_t i = 0; e && i < la->n; i++)
		if (i != school && all[i].nnotices && !same_register(&la->schools[i], &la->schools[school]))
			e[(*n)++] = (struct eng_elsewhere){ la->schools[i].urn, &all[i] };
	return e;
}

int
tool_la_notice_issue(struct tool_la *la, const char *urn, const char *upn, const char *parent, rt_date date,
                     int force, FILE *out)
{
	size_t k = 0;
	while (k < la->n && strcmp(la->schools[k].urn, urn) != 0)
		k++;
	if (k == la->n)
		return 1;             /* reported by tool_la_only */
	struct tool_la_school *s = &la->schools[k];
	struct reg_penalties *all = tool_la_penalties_load(la, upn);
	size_t n;
	struct eng_elsewhere *e = all ? tool_la_elsewhere(la, all, k, &n) : NULL;
	struct reg_store *store = NULL;
	int rc = e ? 0 : -1;
	if (rc == 0 && (tool_la_policy(la, s) || tool_la_register(la, s, 1, &store)))
		rc = 1;
	if (rc == 0)
		rc = eng_notice_issue(s->prog, store, upn, parent, date, force, e, n, out, la->diag);
	reg_close(store);
	free(e);
	tool_la_penalties_free(la, all);
	return rc;
}


static void
write_notice(const struct tool_la_school *s, const struct reg_notice *n, rt_date as_of, int csv, FILE *out)
{
	char issued[11], on[11];
	rt_date_format(n->issued, issued);
	rt_date_format(n->state_on, on);
	const char *state = reg_notice_overdue(n, as_of) ? "overdue" : reg_notice_state_name(n->state);
	if (csv) {
		fprintf(out, "%s,", s->urn);
		base_csv_field(out, s->name ? s->name : "");
		fprintf(out, ",%" PRId64 ",%s,", n->id, n->upn);
		base_csv_field(out, n->parent_id);
		fprintf(out, ",%d,%s,%" PRId64 ",%s,%s\n", n->ordinal, issued, n->pence, state, on);
	} else {
		fprintf(out, "%-8s %4" PRId64 "  %-14s %-10s %3d  %s  %6" PRId64 ".%02" PRId64 "  %-10s %s\n", s->urn, n->id,
		        n->upn, n->parent_id, n->ordinal, issued, n->pence / 100, n->pence % 100, state, on);
	}
}

int
tool_la_notices(struct tool_la *la, rt_date as_of, int format, FILE *out)
{
	struct reg_penalties *all = tool_la_penalties_load(la, NULL);
	if (!all)
		return -1;
	if (format == 1)
		fputs("urn,school,id,upn,parent_id,notice,issued,amount_pence,state,state_on\n", out);
	else
		fprintf(out, "%-8s %4s  %-14s %-10s %3s  %-10s  %9s  %-10s %s\n", "URN", "Id", "UPN", "Parent", "No.",
		        "Issued", "Amount", "State", "Since");
	long counts[5] = { 0 };
	for (size_t i = 0; i < la->n; i++)
		for (size_t k = 0; k < all[i].nnotices && !la->schools[i].skip; k++) {
			if (all[i].notices[k].school)
				continue;     /* recorded at another school of the register: listed there */
			write_notice(&la->schools[i], &all[i].notices[k], as_of, format == 1, out);
			counts[reg_notice_overdue(&all[i].notices[k], as_of) ? 4 : all[i].notices[k].state]++;
		}
	if (format != 1)
		fprintf(out, "%ld issued, %ld paid, %ld withdrawn, %ld prosecuted, %ld overdue\n", counts[0], counts[1],
		        counts[2], counts[3], counts[4]);
	tool_la_penalties_free(la, all);
	return tool_la_status(la);
}

/*
 * Issuing a penalty notice (attend notice issue): the policy decides whether
 * one is due, the cap whether one may be given, the fines in force on the day
 * its amount. Everything is checked before anything is written.
 */
#include "runtime/engine/notices.h"

#include <inttypes.h>
#include <string.h>

#include "runtime/engine/penalties.h"
#include "runtime/engine/run.h"

/* A consumer that notes whether the policy calls for a notice to one parent:
 * the penalty rule holds, with the sessions counted toward that parent's
 * earlier notices left out. */
struct notice_check {
	struct eng_consumer consumer;
	const char *parent;
	int due;
};

static int
check_pupil(struct eng_consumer *c, const struct rt_program *prog, const struct eng_outcome *o)
{
	(void)prog;
	struct notice_check *nc = (struct notice_check *)c;
	nc->due = 0;
	for (size_t i = 0; i < o->nparents; i++)
		if (strcmp(o->parents[i].parent->parent_id, nc->parent) == 0)
			nc->due = !o->parents[i].covered;
	return 0;
}

/* Whether a notice to this parent was recorded at another school of the LA. */
static int
counted_elsewhere(const struct reg_penalties *pen, const char *parent)
{
	for (size_t i = 0; i < pen->nnotices; i++)
		if (pen->notices[i].school && strcmp(pen->notices[i].parent_id, parent) == 0)
			return 1;
	return 0;
}

int
eng_notice_issue(const struct rt_program *prog, struct reg_store *store, const char *upn, const char *parent,
                rt_date date, int force, const struct eng_elsewhere *elsewhere, size_t nelsewhere, FILE *out,
                FILE *diag)
{
	struct reg_penalties pen = { 0 };
	char day[11];
	rt_date_format(date, day);
	/* What the policy says of an unpaid notice goes with it: notice list and prosecution follow it. */
	const struct reg_unpaid unpaid = { prog->penalty.unpaid_days,
		                           prog->penalty.unpaid_action != RT_NO_STRING
		                                   ? rt_program_str(prog, prog->penalty.unpaid_action) : NULL };
	int loaded = reg_penalties_load(store, upn, &pen);
	for (size_t i = 0; i < nelsewhere && !loaded; i++)
		loaded = reg_penalties_merge(store, &pen, elsewhere[i].pen, elsewhere[i].urn);
	if (loaded) {
		fprintf(diag, "attend: %s\n", reg_error(store));
		reg_penalties_free(&pen);
		return -1;
	}
	int status = 0, known = 0;
	for (size_t i = 0; i < pen.nparents; i++)
		known |= strcmp(pen.parents[i].parent_id, parent) == 0;
	if (!known) {
		fprintf(diag, "attend: notice issue: pupil %s has no parent \"%s\" (import parents: "
		              "upn,parent_id,name[,relationship])\n", upn, parent);
		status = 1;
	}
	/* The policy decides whether a notice is due: its threshold, with the sessions
	 * counted toward this parent's earlier notices left out. */
	if (status == 0) {
		struct notice_check check = { { NULL, check_pupil, NULL, 0, NULL }, parent, 0 };
		struct eng_run_params params = { .as_of = date, .upn = upn, .diag = diag, .elsewhere = elsewhere,
			                         .nelsewhere = nelsewhere };
		status = eng_run(prog, store, &params, &check.consumer);
		if (status == 0 && !check.due && !force) {
			fprintf(diag, "attend: notice issue: on %s the policy does not call for a notice to %s for %s "
			              "(the threshold is not met, its sessions already counted toward an earlier "
			              "notice to this parent, or a notice to improve comes first); `attend explain` shows why; "
			              "--force issues it anyway\n",
			        day, parent, upn);
			status = 1;
		}
	}
	if (status == 0) {
		struct eng_pupil_penalties pp = { pen.parents, pen.nparents, pen.notices, pen.nnotices };
		struct eng_parent_notice pn;
		eng_penalties_next(prog, &pp, parent, date, &pn);
		int64_t id = 0;
		if (pn.capped) {
			fprintf(diag, "attend: notice issue: %d notices to %s for %s already count within %u years%s; "
			              "no further notice may be issued: %s\n",
			        pn.counted, parent, upn, prog->penalty.cap_years,
			        counted_elsewhere(&pen, parent) ? " (with those at the child's other schools)" : "",
			        rt_program_str(prog, prog->penalty.alternative));
			status = 1;
		} else if (!pn.fine) {
			fprintf(diag, "attend: notice issue: the policy states no amount for notice %d in force on %s\n",
			        pn.ordinal, day);
			status = 1;
		} else if ((status = reg_notice_issue(store, upn, parent, pn.ordinal, date, pn.fine->pence,
		                                           pn.fine->days, pn.fine->later_pence, pn.fine->later_days,
		                                           &unpaid, &id)) != 0) {
			fprintf(diag, "attend: notice issue: %s\n", reg_error(store));
		} else {
			char fine[128];
			eng_fine_text(pn.fine, fine, sizeof fine);
			fprintf(out, "notice %" PRId64 ": notice %d to %s for %s issued %s: %s\n", id, pn.ordinal, parent,
			        upn, day, fine);
		}
	}
	reg_penalties_free(&pen);
	return status;
}

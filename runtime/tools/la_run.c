/* attend la run: every school's policy over its register, one combined report. */
#include "runtime/tools/la.h"

#include <stdlib.h>

#include "runtime/engine/engine.h"

/* The text report gets a heading per school; JSON and CSV records carry the URN. */
static int
run_school(struct tool_la *la, size_t k, const struct reg_penalties *all, rt_date as_of, int format, int *first,
           FILE *out)
{
	struct tool_la_school *s = &la->schools[k];
	struct reg_store *store;
	if (tool_la_policy(la, s) || tool_la_register(la, s, 0, &store))
		return 0;
	struct eng_report report;
	struct eng_consumer *c = eng_report_init(&report, (enum eng_format)format, out);
	report.urn = s->urn;
	report.no_header = format == ENG_FORMAT_CSV && !*first;
	if (format == ENG_FORMAT_TEXT)
		fprintf(out, "%s%s %s (%s)\n", *first ? "" : "\n", s->urn, s->name, s->policy);
	*first = 0;
	struct eng_run_params params = { .as_of = as_of, .diag = la->diag };
	struct eng_elsewhere *e = tool_la_elsewhere(la, all, k, &params.nelsewhere);
	params.elsewhere = e;
	int rc = e ? eng_run(s->prog, store, &params, c) : -1;
	free(e);
	reg_close(store);
	if (rc > 0)
		tool_la_problem(la, s, "the register holds data the policy cannot evaluate (above)");
	return rc < 0 ? -1 : 0;
}

int
tool_la_run(struct tool_la *la, rt_date as_of, int format, FILE *out)
{
	int first = 1;
	/* A child who moved keeps their notice history: every school's notices, read once. */
	struct reg_penalties *all = tool_la_penalties_load(la, NULL);
	if (!all)
		return -1;
	for (size_t i = 0; i < la->n; i++)
		if (!la->schools[i].skip && !la->schools[i].failed && run_school(la, i, all, as_of, format, &first, out) < 0)
			tool_la_problem(la, &la->schools[i], "the run failed (above)");
	tool_la_penalties_free(la, all);
	return tool_la_status(la);
}

/* attend la run: every school's policy over its register, one combined report. */
#include "runtime/tools/la.h"

#include "runtime/engine/engine.h"

/* The text report gets a heading per school; JSON and CSV records carry the URN. */
static int
run_school(struct tool_la *la, struct tool_la_school *s, rt_date as_of, int format, int *first, FILE *out)
{
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
	int rc = eng_run(s->prog, store, &params, c);
	reg_close(store);
	if (rc > 0)
		tool_la_problem(la, s, "the register holds data the policy cannot evaluate (above)");
	return rc < 0 ? -1 : 0;
}

int
tool_la_run(struct tool_la *la, rt_date as_of, int format, FILE *out)
{
	int first = 1;
	for (size_t i = 0; i < la->n; i++)
		if (run_school(la, &la->schools[i], as_of, format, &first, out) < 0)
			tool_la_problem(la, &la->schools[i], "the run failed (above)");
	return tool_la_status(la);
}

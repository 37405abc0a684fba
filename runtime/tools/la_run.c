/* attend la run: every school's policy over its register, one combined report. */
#include "runtime/tools/la.h"

#include <stdlib.h>

#include "runtime/engine/engine.h"

/* The text report gets a heading per school; JSON and CSV records carry the URN. */
static int
run_school(struct tool_la *la, size_t k, struct reg_store *store, const struct reg_penalties *all, rt_date as_of,
           int format, int *first, FILE *out)
{
	struct tool_la_school *s = &la->schools[k];
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
	if (rc > 0)
		tool_la_problem(la, s, "the register holds data the policy cannot evaluate (above)");
	return rc < 0 ? -1 : 0;
}

/* Opens every register once, reading its notices: a child who moved keeps
 * their notice history, so every school's run needs every school's notices. */
static void
open_all(struct tool_la *la, struct reg_store **stores, struct reg_penalties *all)
{
	for (size_t i = 0; i < la->n; i++) {
		struct tool_la_school *s = &la->schools[i];
		if ((!s->skip && tool_la_policy(la, s)) || tool_la_register(la, s, 0, &stores[i]))
			continue;
		if (reg_penalties_load(stores[i], NULL, &all[i]))
			tool_la_problem(la, s, "%s", reg_error(stores[i]));
		if (s->skip || s->failed) {
			reg_close(stores[i]);
			stores[i] = NULL;
		}
	}
}

int
tool_la_run(struct tool_la *la, rt_date as_of, int format, FILE *out)
{
	int first = 1;
	struct reg_store **stores = calloc(la->n + 1, sizeof *stores);
	struct reg_penalties *all = calloc(la->n + 1, sizeof *all);
	if (!stores || !all) {
		free(stores);
		free(all);
		return -1;
	}
	open_all(la, stores, all);
	for (size_t i = 0; i < la->n; i++) {
		if (stores[i] && run_school(la, i, stores[i], all, as_of, format, &first, out) < 0)
			tool_la_problem(la, &la->schools[i], "the run failed (above)");
		reg_close(stores[i]);
	}
	free(stores);
	tool_la_penalties_free(la, all);
	return tool_la_status(la);
}

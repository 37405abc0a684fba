/* attend la stats: the DfE absence figures per school, per year group and for the LA. */
#include "runtime/tools/la.h"

#include <stdlib.h>

#include "runtime/engine/stats.h"

#define ROWS_PER (ENG_STATS_YEARS + 2)

int
tool_la_stats(struct tool_la *la, rt_date from, rt_date to, int format, FILE *out)
{
	struct eng_stats *per = calloc(la->n + 1, sizeof *per);
	struct eng_stats_row *rows = calloc((la->n + 1) * ROWS_PER, sizeof *rows);
	struct eng_stats total = { 0 };
	if (!per || !rows) {
		free(per);
		free(rows);
		return -1;
	}
	size_t n = 0;
	int rc = 0;
	for (size_t i = 0; i < la->n && rc >= 0; i++) {
		struct tool_la_school *s = &la->schools[i];
		struct reg_store *store;
		if (s->skip || tool_la_policy(la, s) || tool_la_register(la, s, 0, &store))
			continue;
		int got = eng_stats_collect(s->prog, store, from, to, &per[i], la->diag);
		reg_close(store);
		if (got) {
			tool_la_problem(la, s, "no figures: the register holds data the policy cannot read (above)");
			rc = got < 0 ? -1 : rc;
			continue;
		}
		eng_stats_add(&total.all, &per[i].all);
		for (int y = 0; y <= ENG_STATS_YEARS; y++)
			eng_stats_add(&total.year[y], &per[i].year[y]);
		n += eng_stats_rows(&per[i], s->urn, s->name, rows + n);
	}
	if (rc >= 0) {
		n += eng_stats_rows(&total, "LA", "all schools", rows + n);
		eng_stats_write(rows, n, from, to, (enum eng_stats_format)format, out);
	}
	free(rows);
	free(per);
	return rc < 0 ? -1 : tool_la_status(la);
}

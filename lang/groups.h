/*
 * Pupil groups in the grammar (docs/language.md, "Pupil groups"): year groups
 * as written (N1, N2, R, 1 to 14), ranges of them, key stages and phases, each
 * a range of year groups (runtime/machine/years.h). Called from parser.y.
 */
#ifndef LANG_GROUPS_H
#define LANG_GROUPS_H

#include "lang/ast.h"
#include "lang/parse.h"

/* A range of year groups, both included; RT_NO_YEAR in both when not given or wrong (reported). */
struct lang_years {
	int from, until;
};

/* A year group written as a number (0 to 14) or a name (N1, N2, R); RT_NO_YEAR after reporting. */
int lang_year_number(struct lang_parse *ps, struct rt_value v, struct lang_loc loc);
int lang_year_name(struct lang_parse *ps, const char *text, struct lang_loc loc);

/* `from-until`: reported when it runs backwards. */
struct lang_years lang_year_range(struct lang_parse *ps, int from, int until, struct lang_loc loc);

/* The conditions: `year group is N1-R`, `key stage 1`, `phase is nursery`. */
struct lang_expr *lang_year_group(struct lang_parse *ps, struct lang_loc loc, struct lang_years y);
struct lang_expr *lang_key_stage(struct lang_parse *ps, struct lang_loc loc, struct rt_value n, struct lang_loc nloc);
struct lang_expr *lang_phase(struct lang_parse *ps, struct lang_loc loc, const char *name, struct lang_loc nloc);

/* A register line's `for years ...` (nothing when y is not given). */
void lang_item_set_years(struct lang_item *it, struct lang_years y, struct lang_loc loc);

#endif

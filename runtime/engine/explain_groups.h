/*
 * What `attend explain` says about pupil groups (docs/language.md, "Pupil
 * groups"): the pupil's year group, the register times that applied to them,
 * and each year-group term of a rule's condition. Nothing is said where groups
 * decide nothing for the pupil, so such explanations read as before.
 */
#ifndef ENG_EXPLAIN_GROUPS_H
#define ENG_EXPLAIN_GROUPS_H

#include <stdio.h>

#include "runtime/engine/outcome.h"

/* "policy" for a line of the school's own file; the file's name for one of the baseline's. */
const char *eng_policy_file(const struct rt_program *prog, uint32_t file);

/* The "Pupil groups" section: when the policy has group conditions, when the pupil's register
 * times are a group's, or when the pupil has no year group and the policy has group times. */
void eng_explain_groups(const struct rt_program *prog, const struct eng_outcome *o, FILE *out);

/* One IN_YEARS term of a rule's condition. */
void eng_explain_years(const struct rt_trace_entry *e, FILE *out);

#endif

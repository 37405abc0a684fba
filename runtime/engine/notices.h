/* attend notice issue: a penalty notice, when the policy calls for one. */
#ifndef ENG_NOTICES_H
#define ENG_NOTICES_H

#include <stdio.h>

#include "runtime/engine/outcome.h"
#include "runtime/machine/program.h"
#include "runtime/register/store.h"

/*
 * Issues the next notice to `parent` for pupil `upn` on `date` if the policy's
 * penalty rule holds for that parent then (or `force`, for a notice given
 * before the register was kept here), within the cap, at the amount in force.
 * Notices recorded at the local authority's other schools (`elsewhere`, n of
 * them; may be NULL) count too. Returns 0 when issued (reported on out), 1
 * when refused (why on diag), -1 on a store failure.
 */
int eng_notice_issue(const struct rt_program *prog, struct reg_store *store, const char *upn, const char *parent,
                    rt_date date, int force, const struct eng_elsewhere *elsewhere, size_t nelsewhere, FILE *out,
                    FILE *diag);

#endif

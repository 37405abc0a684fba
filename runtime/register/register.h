/*
 * runtime/register: the attendance register, a SQLite database whose schema
 * docs/schema.md documents. store.h is its interface: opening and migrating,
 * the importers (CSV: calendar, pupils, marks, parents), the compact
 * per-pupil copy of the marks and cursors over it, amendments, the decision
 * history and penalty notices. The database guards the legal record itself
 * (triggers), whoever writes to it.
 *
 * Prefix reg_. Depends on machine/ (dates, codes, the calendar) and base/.
 */
#ifndef REG_REGISTER_H
#define REG_REGISTER_H

#include "runtime/register/store.h"

#endif

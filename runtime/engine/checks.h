/*
 * What the evaluation loop checks in the register as it goes, besides the
 * policy: recorded late marks against the policy's arrival rules, and codes
 * used on dates the policy says they were not in use.
 */
#ifndef ENG_CHECKS_H
#define ENG_CHECKS_H

#include <stdio.h>

#include "runtime/engine/outcome.h"
#include "runtime/machine/calendar.h"

/* The recorded codes seen so far, each with the policy's code index (or -1 when the
 * policy has no such code): a code is looked up by name once, not once per mark. */
enum { ENG_SEEN_CODES = 64 };
struct eng_seen_codes {
	uint64_t key[ENG_SEEN_CODES];       /* the code's 8 bytes */
	int16_t index[ENG_SEEN_CODES];
	size_t n;
};

/* The policy's code index of each arrival's recorded mark, remembered in seen. */
void eng_arrival_codes(const struct rt_program *prog, struct eng_seen_codes *seen, const struct reg_arrival *arr,
                       size_t narr, int16_t *codes);

/* Compares a pupil's recorded arrivals (with their codes) with the arrival rules up to as_of, those of the register times
 * of the pupil's year group (RT_NO_YEAR: the school's); writes each disagreement
 * to out (room for narr). */
size_t eng_find_disagreements(const struct rt_program *prog, const struct reg_arrival *arr, const int16_t *codes,
                              size_t narr, rt_date as_of, int year, struct eng_disagreement *out);

/* The school days on which each code may be used: [first, end) as day indexes.
 * A code with no dates in the policy gets the whole calendar. */
struct eng_code_window {
	size_t first, end;
};

/* Fills w (ncodes entries) and limited (256, by policy code index): 1 for a
 * code not in use on every day of the calendar. */
void eng_code_windows(const struct rt_program *prog, const struct rt_calendar *cal, struct eng_code_window *w,
                      uint8_t limited[256]);

/* Reports marks whose code the policy says was not in use on that date (H after
 * 18 August 2024): the figures would count them, but the register is wrong.
 * Returns how many; prints at most `room` of them. */
long eng_report_codes_out_of_date(const struct rt_program *prog, const struct rt_calendar *cal,
                                  const struct eng_code_window *w, const char *upn, const uint8_t *marks,
                                  size_t nsessions, long room, FILE *diag);

#endif

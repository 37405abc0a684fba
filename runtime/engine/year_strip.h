/* A pupil's school year as an SVG strip, with the windows that decided the rules (year_strip.c). */
#ifndef ENG_YEAR_STRIP_H
#define ENG_YEAR_STRIP_H

#include <stdio.h>

#include "runtime/engine/outcome.h"

/* The days a measure read for a rule that holds: dates inclusive. */
struct eng_window {
	rt_date from, to;
	uint32_t rule, measure;
};

/* The windows of the measures whose comparisons held in the rules that decided the
 * outcome (the stage reached, the flags and the penalty rule that hold), each once. */
size_t eng_deciding_windows(const struct rt_program *prog, const struct eng_outcome *o, struct eng_window *out,
                            size_t max);

/* Writes the SVG; returns the number of school days drawn (0: none, nothing written). */
size_t eng_year_strip(const struct rt_program *prog, const struct eng_outcome *o, const struct eng_window *windows,
                      size_t nwindows, FILE *out);

#endif

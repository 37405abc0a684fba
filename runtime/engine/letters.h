/* Letters with a pupil's figures filled in (letters.c; docs/history.md). */
#ifndef ENG_LETTERS_H
#define ENG_LETTERS_H

#include <stdio.h>

#include "runtime/machine/eval.h"
#include "runtime/machine/program.h"

struct eng_letter_pupil {
	const char *upn, *surname, *forename;
	rt_date as_of;
	const struct rt_eval *ev;     /* the pupil's evaluation: measures fill the placeholders */
};

/* The title, a blank line, then the body with its placeholders filled in. */
void eng_letter_write_text(const struct rt_program *prog, const struct rt_letter *l, const struct eng_letter_pupil *lp,
                          FILE *out);
/* The same as a printable HTML page (A4), every filled-in text HTML-escaped. */
void eng_letter_write_html(const struct rt_program *prog, const struct rt_letter *l, const struct eng_letter_pupil *lp,
                          FILE *out);

#endif

/* Letters a school can send: a pupil's figures filled into the policy's text,
 * under the letterhead, to the parents on record (letter_fill.c, letter_page.c,
 * letters.c; docs/history.md). */
#ifndef ENG_LETTERS_H
#define ENG_LETTERS_H

#include <stdio.h>

#include "runtime/machine/eval.h"
#include "runtime/machine/program.h"
#include "runtime/register/store.h"

struct eng_letter_pupil {
	const char *upn, *surname, *forename;
	rt_date as_of;
	const struct rt_eval *ev;     /* the pupil's evaluation: measures fill the placeholders */
	const struct reg_parent *const *to; /* the parents it is addressed to (one address); none: "parent or carer" */
	size_t nto;
};

/* How a page writes: text as it is or HTML-escaped, the figures as lines or a table. */
struct eng_letter_style {
	void (*text)(FILE *out, const char *s, size_t len);
	void (*figures)(FILE *out, const struct rt_summary *s);
	int figures_block;            /* the figures end their own line: a line break just after is dropped */
};

/* The letter's text with its placeholders filled in (letter_fill.c). */
void eng_letter_body(const struct rt_program *prog, const struct rt_letter *l, const struct eng_letter_pupil *lp,
                     const struct eng_letter_style *st, FILE *out);
/* {salutation}, {parent} and {parent address} (letter_fill.c). */
void eng_letter_salutation(const struct eng_letter_pupil *lp, const struct eng_letter_style *st, FILE *out);
void eng_letter_parents(const struct eng_letter_pupil *lp, const struct eng_letter_style *st, FILE *out);
const char *eng_letter_address(const struct eng_letter_pupil *lp);
/* A letterhead field ("address", "telephone", "email", "signatory", "role") or the
 * school's name ("school"); NULL when the policy gives none. */
const char *eng_letterhead(const struct rt_program *prog, const char *field);
/* Attendance as a percentage of possible sessions ("92.61%"); "" when none was possible. */
void eng_letter_rate(const struct rt_summary *s, char *buf, size_t size);

/* The letter as plain text: letterhead, addressee, date, title, text, signatory (letter_page.c). */
void eng_letter_write_text(const struct rt_program *prog, const struct rt_letter *l, const struct eng_letter_pupil *lp,
                           FILE *out);
/* The same as a printable A4 HTML page, every filled-in text HTML-escaped. */
void eng_letter_write_html(const struct rt_program *prog, const struct rt_letter *l, const struct eng_letter_pupil *lp,
                           FILE *out);
/* A print run: one HTML document, one page per letter (a page break after each). */
void eng_letter_html_begin(FILE *out, const char *title);
void eng_letter_html_section(const struct rt_program *prog, const struct rt_letter *l,
                             const struct eng_letter_pupil *lp, FILE *out);
void eng_letter_html_end(FILE *out);

#endif

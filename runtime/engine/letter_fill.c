/*
 * A letter's placeholders. attend's own: {school}, {pupil}, {upn}, {date},
 * {parent}, {parent address}, {salutation}, {figures}, {signatory},
 * {signatory role}, {school address}, {school telephone}, {school email}
 * (lang_builtin_placeholder lists the same names for the checker). Else a
 * measure phrase (the compiler puts each in the measure table, labelled as
 * written), or the name of a `let` or `target` (facts "let.NAME", "target.NAME").
 */
#include "runtime/engine/letters.h"

#include <string.h>

const char *
eng_letterhead(const struct rt_program *prog, const char *field)
{
	char key[64];
	snprintf(key, sizeof key, strcmp(field, "school") == 0 ? "identity.school" : "letterhead.%s", field);
	const struct rt_fact *f = rt_program_find_fact(prog, key);
	return f && f->text != RT_NO_STRING ? rt_program_str(prog, f->text) : NULL;
}

void
eng_letter_rate(const struct rt_summary *s, char *buf, size_t size)
{
	buf[0] = 0;
	if (s->possible) {
		struct rt_value v = { 100 * s->present, s->possible, RT_UNIT_PERCENT };
		rt_value_format(&v, buf, size);
	}
}

static void
put(const struct eng_letter_style *st, FILE *out, const char *s)
{
	if (s)
		st->text(out, s, strlen(s));
}

static void
put_pupil(const struct eng_letter_pupil *lp, const struct eng_letter_style *st, FILE *out)
{
	put(st, out, lp->forename);
	if (*lp->forename && *lp->surname)
		put(st, out, " ");
	put(st, out, lp->surname);
}

/* "A", "A and B", "A, B and C". */
static void
put_names(const struct eng_letter_pupil *lp, const struct eng_letter_style *st, FILE *out)
{
	for (size_t i = 0; i < lp->nto; i++) {
		if (i)
			put(st, out, i + 1 == lp->nto ? " and " : ", ");
		put(st, out, lp->to[i]->name);
	}
}

void
eng_letter_parents(const struct eng_letter_pupil *lp, const struct eng_letter_style *st, FILE *out)
{
	if (lp->nto) {
		put_names(lp, st, out);
		return;
	}
	put(st, out, "The parent or carer of ");
	put_pupil(lp, st, out);
}

void
eng_letter_salutation(const struct eng_letter_pupil *lp, const struct eng_letter_style *st, FILE *out)
{
	put(st, out, "Dear ");
	if (lp->nto)
		put_names(lp, st, out);
	else
		put(st, out, "parent or carer");
}

const char *
eng_letter_address(const struct eng_letter_pupil *lp)
{
	return lp->nto && lp->to[0]->address ? lp->to[0]->address : "";
}

/* attend's own placeholders; 0 when `name` is not one of them. */
static int
fill_builtin(const struct rt_program *prog, const struct eng_letter_pupil *lp, const char *name,
             const struct eng_letter_style *st, FILE *out)
{
	static const char *const fields[][2] = {
		{ "school", "school" }, { "signatory", "signatory" }, { "signatory role", "role" },
		{ "school address", "address" }, { "school telephone", "telephone" }, { "school email", "email" },
	};
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
		if (strcmp(name, fields[i][0]) == 0) {
			put(st, out, eng_letterhead(prog, fields[i][1]));
			return 1;
		}
	char date[64];
	rt_date_format_long(lp->as_of, date, sizeof date);
	if (strcmp(name, "pupil") == 0)
		put_pupil(lp, st, out);
	else if (strcmp(name, "upn") == 0)
		put(st, out, lp->upn);
	else if (strcmp(name, "date") == 0)
		put(st, out, date);
	else if (strcmp(name, "parent") == 0)
		eng_letter_parents(lp, st, out);
	else if (strcmp(name, "parent address") == 0)
		put(st, out, eng_letter_address(lp));
	else if (strcmp(name, "salutation") == 0)
		eng_letter_salutation(lp, st, out);
	else if (strcmp(name, "figures") == 0)
		st->figures(out, &lp->ev->summary);
	else
		return 0;
	return 1;
}

static int
fact_text(const struct rt_program *prog, const char *prefix, const char *name, char *buf, size_t size)
{
	char key[160];
	snprintf(key, sizeof key, "%s.%s", prefix, name);
	const struct rt_fact *f = rt_program_find_fact(prog, key);
	if (!f)
		return 0;
	if (f->text != RT_NO_STRING)
		snprintf(buf, size, "%s", rt_program_str(prog, f->text));
	else
		rt_value_format(&f->value, buf, size);
	return 1;
}

/* A measure, let or target by name; 0 when it names nothing known. */
static int
fill_value(const struct rt_program *prog, const struct eng_letter_pupil *lp, const char *name, char *buf,
           size_t size)
{
	for (size_t m = 0; m < prog->nmeasures; m++)
		if (strcmp(rt_program_str(prog, prog->measures[m].label), name) == 0) {
			rt_value_format(&lp->ev->measures[m], buf, size);
			return 1;
		}
	return fact_text(prog, "let", name, buf, size) || fact_text(prog, "target", name, buf, size);
}

void
eng_letter_body(const struct rt_program *prog, const struct rt_letter *l, const struct eng_letter_pupil *lp,
                const struct eng_letter_style *st, FILE *out)
{
	const char *s = rt_program_str(prog, l->body);
	while (*s) {
		const char *open = strchr(s, '{');
		const char *close = open ? strchr(open, '}') : NULL;
		if (!open || !close) {
			put(st, out, s);
			return;
		}
		st->text(out, s, (size_t)(open - s));
		char name[160], value[256];
		snprintf(name, sizeof name, "%.*s", (int)(close - open - 1), open + 1);
		s = close + 1;
		if (fill_builtin(prog, lp, name, st, out)) {
			if (st->figures_block && strcmp(name, "figures") == 0 && *s == '\n')
				s++;
		} else if (fill_value(prog, lp, name, value, sizeof value)) {
			put(st, out, value);
		} else {
			st->text(out, open, (size_t)(s - open)); /* kept as written */
		}
	}
}

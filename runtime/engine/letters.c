/*
 * Letters: a letter's template with the pupil's figures filled in, as plain
 * text and as a printable HTML page (`attend letters`).
 *
 * Placeholders: {school}, {pupil}, {upn}, {date}, a measure phrase (the
 * compiler puts each in the measure table, labelled as written), or the name
 * of a `let` or `target` (facts "let.NAME", "target.NAME").
 */
#include "runtime/engine/letters.h"

#include "runtime/base/text.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "runtime/base/output.h"
#include "runtime/engine/run.h"

static int
fact_text(const struct rt_program *prog, const char *prefix, const char *name, size_t len, char *buf, size_t size)
{
	char key[160];
	snprintf(key, sizeof key, "%s.%.*s", prefix, (int)len, name);
	const struct rt_fact *f = rt_program_find_fact(prog, key);
	if (!f)
		return 0;
	if (f->text != RT_NO_STRING)
		snprintf(buf, size, "%s", rt_program_str(prog, f->text));
	else
		rt_value_format(&f->value, buf, size);
	return 1;
}

/* The text for one placeholder; 0 when it names nothing known (kept as written). */
static int
fill(const struct rt_program *prog, const struct eng_letter_pupil *lp, const char *name, size_t len, char *buf,
     size_t size)
{
#define IS(word) (len == sizeof word - 1 && memcmp(name, word, len) == 0)
	if (IS("school")) {
		const struct rt_fact *f = rt_program_find_fact(prog, "identity.school");
		snprintf(buf, size, "%s", f ? rt_program_str(prog, f->text) : "");
		return 1;
	}
	if (IS("pupil")) {
		snprintf(buf, size, "%s%s%s", lp->forename, *lp->forename && *lp->surname ? " " : "", lp->surname);
		return 1;
	}
	if (IS("upn")) {
		snprintf(buf, size, "%s", lp->upn);
		return 1;
	}
	if (IS("date")) {
		rt_date_format_long(lp->as_of, buf, size);
		return 1;
	}
#undef IS
	for (size_t m = 0; m < prog->nmeasures; m++) {
		const char *label = rt_program_str(prog, prog->measures[m].label);
		if (strlen(label) == len && memcmp(label, name, len) == 0) {
			rt_value_format(&lp->ev->measures[m], buf, size);
			return 1;
		}
	}
	return fact_text(prog, "let", name, len, buf, size) || fact_text(prog, "target", name, len, buf, size);
}

typedef void (*emit_fn)(FILE *out, const char *s, size_t len);

static void
emit_plain(FILE *out, const char *s, size_t len)
{
	fwrite(s, 1, len, out);
}

static void
render(const struct rt_program *prog, const struct rt_letter *l, const struct eng_letter_pupil *lp, emit_fn emit,
       FILE *out)
{
	const char *s = rt_program_str(prog, l->body);
	while (*s) {
		const char *open = strchr(s, '{');
		const char *close = open ? strchr(open, '}') : NULL;
		if (!open || !close) {
			emit(out, s, strlen(s));
			return;
		}
		emit(out, s, (size_t)(open - s));
		char value[256];
		if (fill(prog, lp, open + 1, (size_t)(close - open) - 1, value, sizeof value))
			emit(out, value, strlen(value));
		else
			emit(out, open, (size_t)(close - open) + 1);
		s = close + 1;
	}
}

void
eng_letter_write_text(const struct rt_program *prog, const struct rt_letter *l, const struct eng_letter_pupil *lp,
                     FILE *out)
{
	fprintf(out, "%s\n\n", rt_program_str(prog, l->title));
	render(prog, l, lp, emit_plain, out);
	fputc('\n', out);
}

void
eng_letter_write_html(const struct rt_program *prog, const struct rt_letter *l, const struct eng_letter_pupil *lp,
                     FILE *out)
{
	const char *title = rt_program_str(prog, l->title);
	fputs("<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n<title>", out);
	base_html_text(out, title, strlen(title));
	fputs("</title>\n<style>\n"
	      "  @page { size: A4; margin: 2cm; }\n"
	      "  body { font-family: Arial, Helvetica, sans-serif; font-size: 12pt; max-width: 17cm; margin: 2cm auto; }\n"
	      "  .body { white-space: pre-wrap; line-height: 1.5; }\n"
	      "</style>\n</head>\n<body>\n<h1>",
	      out);
	base_html_text(out, title, strlen(title));
	fputs("</h1>\n<div class=\"body\">", out);
	render(prog, l, lp, base_html_text, out);
	fputs("</div>\n</body>\n</html>\n", out);
}

static int
write_file(const char *path, const struct rt_program *prog, const struct rt_letter *l,
           const struct eng_letter_pupil *lp, int html, FILE *diag)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		fprintf(diag, "attend: cannot write %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (html)
		eng_letter_write_html(prog, l, lp, f);
	else
		eng_letter_write_text(prog, l, lp, f);
	if (base_output_close(f) != 0) {
		fprintf(diag, "attend: cannot write %s: %s\n", path, errno ? strerror(errno) : "a write failed");
		return -1;
	}
	return 0;
}

/* The UPN names the files: only characters that are safe in a file name are
 * kept. When any had to go (X/1 and X_1 would both be X_1), a hash of the
 * whole UPN follows, so that two pupils never share a file. */
static void
file_stem(const char *upn, char *out, size_t size)
{
	size_t k = 0;
	int changed = 0;
	uint64_t h = 1469598103934665603u;
	for (const unsigned char *s = (const unsigned char *)upn; *s; s++) {
		h = (h ^ *s) * 1099511628211u;
		int safe = (*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_';
		changed |= !safe || k >= 63;
		if (k < 63)
			out[k++] = safe ? (char)*s : '_';
	}
	out[k] = 0;
	if (changed && size > k + 18)
		snprintf(out + k, size - k, "-%016llx", (unsigned long long)h);
}

/* Writes each letter due for the pupil. Returns how many, or -1 (reported on diag). */
static int
write_due(const struct rt_program *prog, const struct eng_outcome *o, const char *dir, FILE *list, FILE *diag)
{
	const struct rt_eval *ev = o->ev;
	struct eng_letter_pupil lp = { o->pupil->upn, o->pupil->surname, o->pupil->forename, o->as_of, ev };
	char upn[96];
	file_stem(o->pupil->upn, upn, sizeof upn);
	int written = 0;
	for (size_t i = 0; i < prog->nrules; i++) {
		const struct rt_rule *r = &prog->rules[i];
		int due = ev->outcomes[i] && (r->kind != RT_RULE_STAGE || (int)i == ev->stage_rule);
		if (!due || r->letter == UINT32_MAX)
			continue;
		const struct rt_letter *l = &prog->letters[r->letter];
		char path[4096];
		for (int html = 0; html <= 1; html++) {
			snprintf(path, sizeof path, "%s/%s-%s.%s", dir, upn, rt_program_str(prog, l->name),
			         html ? "html" : "txt");
			if (write_file(path, prog, l, &lp, html, diag))
				return -1;
		}
		fprintf(list, "%s: %s: %s-%s.txt, .html\n", o->pupil->upn, rt_program_str(prog, l->title), upn,
		        rt_program_str(prog, l->name));
		written++;
	}
	return written;
}

static int
letters_pupil(struct eng_consumer *c, const struct rt_program *prog, const struct eng_outcome *o)
{
	struct eng_letter_writer *w = (struct eng_letter_writer *)c;
	return write_due(prog, o, w->dir, w->list, w->diag) < 0 ? -1 : 0;
}

struct eng_consumer *
eng_letters_init(struct eng_letter_writer *w, const char *dir, FILE *list, FILE *diag)
{
	*w = (struct eng_letter_writer){ { NULL, letters_pupil, NULL, 0, NULL }, dir, list, diag };
	return &w->consumer;
}

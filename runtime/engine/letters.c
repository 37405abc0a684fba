/*
 * `attend letters`: for every letter due, a text file and a printable HTML
 * page per addressee, and one print run (DIR/print-run.html) with every
 * letter of the run, a page each. Parents on record at the same address share
 * a letter; parents at different addresses get one each. The page itself is
 * letter_page.c's, the placeholders letter_fill.c's.
 */
#include "runtime/engine/letters.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/base/output.h"
#include "runtime/engine/run.h"

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

static int
same_address(const struct reg_parent *a, const struct reg_parent *b)
{
	return a->address && b->address ? strcmp(a->address, b->address) == 0 : a->address == b->address;
}

/* The parents who share parent `lead`'s address, into `to`; 0 when an earlier one has it (they had the letter). */
static size_t
addressees(const struct eng_outcome *o, size_t lead, const struct reg_parent **to)
{
	for (size_t i = 0; i < lead; i++)
		if (same_address(&o->contacts[i], &o->contacts[lead]))
			return 0;
	size_t n = 0;
	for (size_t i = lead; i < o->ncontacts; i++)
		if (same_address(&o->contacts[i], &o->contacts[lead]))
			to[n++] = &o->contacts[i];
	return n;
}

/* One letter to one household: its two files, its page in the print run, its line in the list. */
static int
write_one(struct eng_letter_writer *w, const struct rt_program *prog, const struct rt_letter *l,
          const struct eng_letter_pupil *lp, const char *stem)
{
	char path[4096];
	for (int html = 0; html <= 1; html++) {
		snprintf(path, sizeof path, "%s/%s.%s", w->dir, stem, html ? "html" : "txt");
		if (write_file(path, prog, l, lp, html, w->diag))
			return -1;
	}
	if (w->run)
		eng_letter_html_section(prog, l, lp, w->run);
	w->nrun++;
	fprintf(w->list, "%s: %s: %s.txt, .html\n", lp->upn, rt_program_str(prog, l->title), stem);
	return 0;
}

/* Every letter due for the pupil, to each household of parents on record (or
 * to "the parent or carer" when none is). 0, or -1 (reported on diag). */
static int
write_due(struct eng_letter_writer *w, const struct rt_program *prog, const struct eng_outcome *o)
{
	const struct rt_eval *ev = o->ev;
	const struct reg_parent **to = malloc((o->ncontacts + 1) * sizeof *to);
	if (!to) {
		fprintf(w->diag, "attend: letters: out of memory\n");
		return -1;
	}
	char upn[96], stem[192];
	file_stem(o->pupil->upn, upn, sizeof upn);
	int rc = 0;
	for (size_t i = 0; i < prog->nrules && !rc; i++) {
		const struct rt_rule *r = &prog->rules[i];
		int due = ev->outcomes[i] && (r->kind != RT_RULE_STAGE || (int)i == ev->stage_rule);
		if (!due || r->letter == UINT32_MAX)
			continue;
		const struct rt_letter *l = &prog->letters[r->letter];
		int copy = 0;
		for (size_t lead = 0; (lead < o->ncontacts || (!o->ncontacts && lead == 0)) && !rc; lead++) {
			struct eng_letter_pupil lp = { o->pupil->upn, o->pupil->surname, o->pupil->forename, o->as_of, ev,
				                       to, o->ncontacts ? addressees(o, lead, to) : 0 };
			if (o->ncontacts && !lp.nto)
				continue;
			int n = snprintf(stem, sizeof stem, "%s-%s", upn, rt_program_str(prog, l->name));
			if (copy++ && n > 0 && (size_t)n < sizeof stem)
				snprintf(stem + n, sizeof stem - (size_t)n, "-%d", copy);
			rc = write_one(w, prog, l, &lp, stem);
		}
	}
	free(to);
	return rc;
}

static int
letters_pupil(struct eng_consumer *c, const struct rt_program *prog, const struct eng_outcome *o)
{
	return write_due((struct eng_letter_writer *)c, prog, o);
}

/* The print run is written to a temporary name and renamed when complete. */
static int
letters_begin(struct eng_consumer *c, const struct rt_program *prog)
{
	struct eng_letter_writer *w = (struct eng_letter_writer *)c;
	snprintf(w->run_path, sizeof w->run_path, "%s/print-run.html.part", w->dir);
	w->run = fopen(w->run_path, "w");
	if (!w->run) {
		fprintf(w->diag, "attend: cannot write %s: %s\n", w->run_path, strerror(errno));
		return -1;
	}
	const char *school = eng_letterhead(prog, "school");
	char title[512];
	snprintf(title, sizeof title, "Letters%s%s", school ? ": " : "", school ? school : "");
	eng_letter_html_begin(w->run, title);
	return 0;
}

static int
letters_end(struct eng_consumer *c, const struct rt_program *prog)
{
	(void)prog;
	struct eng_letter_writer *w = (struct eng_letter_writer *)c;
	eng_letter_html_end(w->run);
	char done[4096];
	snprintf(done, sizeof done, "%s/print-run.html", w->dir);
	int failed = base_output_close(w->run) != 0;
	w->run = NULL;
	if (failed || rename(w->run_path, done) != 0) {
		fprintf(w->diag, "attend: cannot write %s: %s\n", done, errno ? strerror(errno) : "a write failed");
		return -1;
	}
	fprintf(w->list, "print run: print-run.html, %zu letter%s\n", w->nrun, w->nrun == 1 ? "" : "s");
	return 0;
}

struct eng_consumer *
eng_letters_init(struct eng_letter_writer *w, const char *dir, FILE *list, FILE *diag)
{
	*w = (struct eng_letter_writer){ { letters_begin, letters_pupil, letters_end, 0, NULL }, dir, list, diag,
		                         NULL, 0, { 0 } };
	return &w->consumer;
}

void
eng_letters_abandon(struct eng_letter_writer *w)
{
	if (w->run) {
		fclose(w->run);
		w->run = NULL;
		remove(w->run_path);
	}
}

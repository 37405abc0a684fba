/*
 * `attend explain --format html`: one self-contained page (no script, no
 * other file) for one pupil: the outcome, the figures, the school year as a
 * strip of sessions coloured by category with the windows that decided each
 * rule outlined (year_strip.c), and the explanation in words below.
 */
#include "runtime/engine/run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/base/text.h"
#include "runtime/engine/letters.h"
#include "runtime/engine/year_strip.h"

enum { MAX_WINDOWS = 16 };

static const char css[] =
	"body { font-family: Arial, Helvetica, sans-serif; color: #1b1b1b; margin: 24px auto; max-width: 1180px; "
	"padding: 0 16px; }\n"
	"h1 { font-size: 22px; margin: 0; } .sub { color: #555; margin: 4px 0 16px; }\n"
	".outcome { display: flex; gap: 12px; flex-wrap: wrap; margin-bottom: 16px; }\n"
	".box { border: 1px solid #cfd8dc; border-radius: 6px; padding: 8px 12px; background: #f7f9fa; }\n"
	".box b { display: block; font-size: 18px; }\n"
	".strip { display: block; margin: 8px 0; } .axis { font-size: 10px; fill: #555; }\n"
	".window { fill: none; stroke-width: 2; } .wlabel { font-size: 11px; font-weight: bold; }\n"
	".w1 { stroke: #6a1b9a; fill: #6a1b9a; } .w2 { stroke: #1565c0; fill: #1565c0; }\n"
	".w3 { stroke: #ef6c00; fill: #ef6c00; } .w0 { stroke: #37474f; fill: #37474f; }\n"
	"rect.window { fill: none; }\n"
	".legend span { display: inline-block; margin-right: 14px; font-size: 13px; }\n"
	".legend i { display: inline-block; width: 11px; height: 11px; margin-right: 4px; border: 1px solid #b0bec5; "
	"vertical-align: -1px; }\n"
	"ol.windows li { margin: 2px 0; } pre { background: #f7f9fa; border: 1px solid #cfd8dc; padding: 12px; "
	"white-space: pre-wrap; font-size: 13px; }\n"
	"@media print { body { max-width: none; } }\n";

static void
text(FILE *out, const char *s)
{
	base_html_text(out, s, strlen(s));
}

static void
head(const struct rt_program *prog, const struct eng_outcome *o, FILE *out)
{
	const struct reg_pupil *p = o->pupil;
	fputs("<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n<title>", out);
	text(out, p->forename ? p->forename : "");
	fputc(' ', out);
	text(out, p->surname ? p->surname : "");
	fprintf(out, ": attendance</title>\n<style>\n%s</style>\n</head>\n<body>\n<h1>", css);
	text(out, p->forename ? p->forename : "");
	fputc(' ', out);
	text(out, p->surname ? p->surname : "");
	fputs(" <small>", out);
	text(out, p->upn);
	char date[64];
	rt_date_format_long(o->as_of, date, sizeof date);
	fprintf(out, "</small></h1>\n<p class=\"sub\">As of %s, under ", date);
	const char *school = eng_letterhead(prog, "school");
	text(out, school ? school : "the policy");
	fputs("</p>\n", out);
}

static void
box(FILE *out, const char *label, const char *value)
{
	fputs("<div class=\"box\">", out);
	text(out, label);
	fputs("<b>", out);
	text(out, value);
	fputs("</b></div>\n", out);
}

static void
outcome(const struct rt_program *prog, const struct eng_outcome *o, FILE *out)
{
	const struct rt_eval *ev = o->ev;
	char rate[48], n[48];
	eng_letter_rate(&ev->summary, rate, sizeof rate);
	fputs("<div class=\"outcome\">\n", out);
	box(out, "Attendance", *rate ? rate : "-");
	snprintf(n, sizeof n, "%lld of %lld", (long long)ev->summary.present, (long long)ev->summary.possible);
	box(out, "Sessions attended", n);
	const struct rt_rule *st = ev->stage_rule >= 0 ? &prog->rules[ev->stage_rule] : NULL;
	box(out, "Stage", st ? rt_program_str(prog, st->title != RT_NO_STRING ? st->title : st->name) : "none");
	box(out, "Penalty notice", o->penalty ? "to consider" : "no");
	fputs("</div>\n", out);
}

static void
legend(FILE *out)
{
	static const char *const items[][2] = {
		{ "#2e7d32", "present" }, { "#00897b", "approved educational activity" }, { "#f9a825", "authorised absence" },
		{ "#c62828", "unauthorised absence" }, { "#9e9e9e", "not possible" }, { "#ffffff", "no mark" },
		{ "#eceff1", "after the date" },
	};
	fputs("<p class=\"legend\">", out);
	for (size_t i = 0; i < sizeof items / sizeof items[0]; i++)
		fprintf(out, "<span><i style=\"background:%s\"></i>%s</span>", items[i][0], items[i][1]);
	fputs("<span>Holidays and closures have no cell.</span></p>\n", out);
}

static void
window_list(const struct rt_program *prog, const struct eng_window *w, size_t n, FILE *out)
{
	if (!n)
		return;
	fputs("<p>Outlined, the windows that decided the outcome:</p>\n<ol class=\"windows\">\n", out);
	for (size_t i = 0; i < n; i++) {
		const struct rt_rule *r = &prog->rules[w[i].rule];
		char from[64], to[64];
		rt_date_format_long(w[i].from, from, sizeof from);
		rt_date_format_long(w[i].to, to, sizeof to);
		fputs("<li>", out);
		text(out, rt_program_str(prog, r->title != RT_NO_STRING ? r->title : r->name));
		fputs(": ", out);
		text(out, rt_program_str(prog, prog->measures[w[i].measure].label));
		fprintf(out, ", %s to %s</li>\n", from, to);
	}
	fputs("</ol>\n", out);
}

/* The explanation in words, as `attend explain` writes it, escaped into a <pre>. */
static int
words(const struct rt_program *prog, const struct eng_outcome *o, FILE *out)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	if (!mem)
		return -1;
	eng_explain_pupil(prog, o, mem);
	if (fclose(mem) != 0) {
		free(buf);
		return -1;
	}
	fputs("<h2>Why, rule by rule</h2>\n<pre>", out);
	base_html_text(out, buf, len);
	fputs("</pre>\n", out);
	free(buf);
	return 0;
}

int
eng_explain_html(const struct rt_program *prog, const struct eng_outcome *o, FILE *out)
{
	struct eng_window windows[MAX_WINDOWS];
	size_t nw = eng_deciding_windows(prog, o, windows, MAX_WINDOWS);
	head(prog, o, out);
	outcome(prog, o, out);
	fputs("<h2>The school year</h2>\n", out);
	if (!eng_year_strip(prog, o, windows, nw, out))
		fputs("<p>The register has no school days in this school year.</p>\n", out);
	legend(out);
	window_list(prog, windows, nw, out);
	int rc = words(prog, o, out);
	fputs("</body>\n</html>\n", out);
	return rc;
}

/*
 * attend la report: one self-contained HTML page for the LA officer. A table
 * of the schools (worst attendance first, each linked to its section), and
 * per school its figures, the pupils at each stage of its policy, its notices
 * and a chart of attendance by week; the same for the whole authority. No
 * script and no external file: it reads the same printed or offline.
 */
#include "runtime/tools/la.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/base/text.h"
#include "runtime/engine/engine.h"
#include "runtime/engine/stats.h"
#include "runtime/tools/la_chart.h"

enum { N_ISSUED, N_PAID, N_WITHDRAWN, N_PROSECUTED, N_OVERDUE, N__COUNT };

struct figures {
	struct eng_stats stats;   /* enrolment figures, with weeks */
	int64_t pupils;           /* pupils the policy evaluated */
	int64_t *at_stage;        /* per rule index: pupils whose stage it is */
	long notices[N__COUNT];
	int ok;
};

/* A consumer that counts the pupils at each stage. */
struct stage_counter {
	struct eng_consumer consumer;
	struct figures *f;
};

static int
count_stage(struct eng_consumer *c, const struct rt_program *prog, const struct eng_outcome *o)
{
	(void)prog;
	struct figures *f = ((struct stage_counter *)c)->f;
	f->pupils++;
	if (o->ev->stage_rule >= 0)
		f->at_stage[o->ev->stage_rule]++;
	return 0;
}

static void
count_notices(const struct reg_penalties *pen, rt_date as_of, long *counts)
{
	for (size_t i = 0; i < pen->nnotices; i++) {
		const struct reg_notice *n = &pen->notices[i];
		counts[reg_notice_overdue(n, as_of) ? N_OVERDUE : n->state]++;
	}
}

static void
gather(struct tool_la *la, struct tool_la_school *s, rt_date from, rt_date as_of, struct figures *f)
{
	struct reg_store *store;
	if (tool_la_policy(la, s) || tool_la_register(la, s, 0, &store))
		return;
	f->at_stage = calloc(s->prog->nrules + 1, sizeof *f->at_stage);
	struct stage_counter sc = { { NULL, count_stage, NULL, 0, NULL }, f };
	struct eng_run_params params = { .as_of = as_of, .diag = la->diag };
	if (f->at_stage && eng_stats_collect_weeks(s->prog, store, from, as_of, &f->stats, la->diag) == 0 &&
	    eng_run(s->prog, store, &params, &sc.consumer) == 0)
		f->ok = 1;
	else
		tool_la_problem(la, s, "left out of the report: the register holds data the policy cannot read (above)");
	reg_close(store);
}

static int
compare_weeks(const void *a, const void *b)
{
	const struct eng_stats_week *x = a, *y = b;
	return x->monday < y->monday ? -1 : x->monday > y->monday;
}

/* The authority's figures: every school's summed, weeks merged by their Monday. */
static int
total(const struct tool_la *la, const struct figures *per, struct figures *t)
{
	size_t nweeks = 0;
	for (size_t i = 0; i < la->n; i++)
		nweeks += per[i].stats.nweeks;
	t->stats.weeks = calloc(nweeks + 1, sizeof *t->stats.weeks);
	if (!t->stats.weeks)
		return -1;
	for (size_t i = 0; i < la->n; i++) {
		if (!per[i].ok)
			continue;
		eng_stats_add(&t->stats.all, &per[i].stats.all);
		t->pupils += per[i].pupils;
		for (int k = 0; k < N__COUNT; k++)
			t->notices[k] += per[i].notices[k];
		memcpy(t->stats.weeks + t->stats.nweeks, per[i].stats.weeks, per[i].stats.nweeks * sizeof *t->stats.weeks);
		t->stats.nweeks += per[i].stats.nweeks;
	}
	qsort(t->stats.weeks, t->stats.nweeks, sizeof *t->stats.weeks, compare_weeks);
	size_t w = 0;
	for (size_t i = 0; i < t->stats.nweeks; i++) {
		if (w && t->stats.weeks[w - 1].monday == t->stats.weeks[i].monday) {
			t->stats.weeks[w - 1].possible += t->stats.weeks[i].possible;
			t->stats.weeks[w - 1].absent += t->stats.weeks[i].absent;
		} else {
			t->stats.weeks[w++] = t->stats.weeks[i];
		}
	}
	t->stats.nweeks = w;
	t->ok = 1;
	return 0;
}

static void
text(FILE *out, const char *s)
{
	base_html_text(out, s, strlen(s));
}

/* Attendance: 100% less the overall absence rate, to two decimals. */
static void
attendance(const struct eng_stats_counts *c, char *buf, size_t size)
{
	eng_stats_percent(c->possible - c->authorised - c->unauthorised, c->possible, buf, size);
	if (!buf[0])
		snprintf(buf, size, "-");
}

static void
figures_table(FILE *out, const struct figures *f)
{
	const struct eng_stats_counts *c = &f->stats.all;
	char att[24], pa[24], sa[24];
	attendance(c, att, sizeof att);
	eng_stats_percent(c->persistent, c->enrolments, pa, sizeof pa);
	eng_stats_percent(c->severe, c->enrolments, sa, sizeof sa);
	fprintf(out, "<table class=\"figures\">\n<tr><th>Pupils on roll</th><td>%" PRId64 "</td></tr>\n"
	             "<tr><th>Enrolments counted (years 1 to 11)</th><td>%" PRId64 "</td></tr>\n"
	             "<tr><th>Attendance</th><td>%s%%</td></tr>\n"
	             "<tr><th>Persistently absent (10%% or more)</th><td>%" PRId64 " (%s%%)</td></tr>\n"
	             "<tr><th>Severely absent (50%% or more)</th><td>%" PRId64 " (%s%%)</td></tr>\n"
	             "<tr><th>Penalty notices</th><td>%ld issued, %ld paid, %ld withdrawn, %ld prosecuted, "
	             "<strong>%ld overdue</strong></td></tr>\n</table>\n",
	        f->pupils, c->enrolments, att, c->persistent, pa[0] ? pa : "-", c->severe, sa[0] ? sa : "-",
	        f->notices[N_ISSUED], f->notices[N_PAID], f->notices[N_WITHDRAWN], f->notices[N_PROSECUTED],
	        f->notices[N_OVERDUE]);
}

static void
stages_table(FILE *out, const struct rt_program *prog, const struct figures *f)
{
	fputs("<table class=\"stages\">\n<tr><th>Stage</th><th>Pupils</th></tr>\n", out);
	int64_t at_none = f->pupils;
	for (size_t r = 0; r < prog->nrules; r++) {
		const struct rt_rule *rule = &prog->rules[r];
		if (rule->kind != RT_RULE_STAGE)
			continue;
		fprintf(out, "<tr><td>%d. ", rule->stage);
		text(out, rt_program_str(prog, rule->title != RT_NO_STRING ? rule->title : rule->name));
		fprintf(out, "</td><td>%" PRId64 "</td></tr>\n", f->at_stage[r]);
		at_none -= f->at_stage[r];
	}
	fprintf(out, "<tr><td>No stage</td><td>%" PRId64 "</td></tr>\n</table>\n", at_none);
}

static const char style[] =
	"body{font-family:system-ui,sans-serif;margin:2em auto;max-width:60em;color:#1b1b1b;padding:0 1em}"
	"h1{font-size:1.6em}h2{font-size:1.25em;margin-top:2em;border-bottom:1px solid #ccc}"
	"table{border-collapse:collapse;margin:0.8em 0}th,td{padding:0.25em 0.7em;border-bottom:1px solid #e3e3e3}"
	"th{text-align:left;background:#f3f3f3}td{font-variant-numeric:tabular-nums}"
	"table.schools td:nth-child(n+3){text-align:right}table.stages td:last-child{text-align:right}"
	".low{color:#b00020;font-weight:600}.note{color:#555;font-size:0.9em;margin-top:0}"
	".chart{display:block;margin:0.5em 0;max-width:100%;height:auto}"
	".chart .grid{stroke:#e3e3e3}.chart .target{stroke:#1d70b8;stroke-dasharray:4 3}"
	".chart .line{fill:none;stroke:#1b1b1b;stroke-width:2}.chart circle{fill:#1b1b1b}"
	".chart .ylab{font-size:11px;text-anchor:end;fill:#555}.chart .xlab{font-size:11px;text-anchor:middle;fill:#555}"
	"@media print{h2{break-before:page}}";

static void
page_head(FILE *out, const char *title)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n<title>", out);
	text(out, title);
	fprintf(out, "</title>\n<style>%s</style>\n</head>\n<body>\n<h1>", style);
	text(out, title);
	fputs("</h1>\n", out);
}

struct ranked {
	size_t index;
	int64_t present, possible;  /* attendance as a fraction, compared exactly */
};

static int
compare_ranked(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;
	/* present/possible ascending by cross-multiplication; a school with no sessions last */
	int64_t l = x->present * (y->possible ? y->possible : 1), r = y->present * (x->possible ? x->possible : 1);
	if (!x->possible != !y->possible)
		return !x->possible ? 1 : -1;
	return l < r ? -1 : l > r ? 1 : x->index < y->index ? -1 : 1;
}

/* One row per school, lowest attendance first, each linked to its section. */
static void
schools_table(FILE *out, const struct tool_la *la, const struct figures *per)
{
	struct ranked *r = calloc(la->n + 1, sizeof *r);
	size_t n = 0;
	for (size_t i = 0; r && i < la->n; i++)
		if (per[i].ok) {
			const struct eng_stats_counts *c = &per[i].stats.all;
			r[n++] = (struct ranked){ i, c->possible - c->authorised - c->unauthorised, c->possible };
		}
	qsort(r, n, sizeof *r, compare_ranked);
	fputs("<h2 id=\"schools\">Schools, lowest attendance first</h2>\n<table class=\"schools\">\n<tr><th>URN</th>"
	      "<th>School</th><th>Pupils</th><th>Attendance</th><th>PA</th><th>SA</th><th>Notices</th>"
	      "<th>Overdue</th></tr>\n", out);
	for (size_t k = 0; k < n; k++) {
		const struct tool_la_school *s = &la->schools[r[k].index];
		const struct figures *f = &per[r[k].index];
		char att[24];
		attendance(&f->stats.all, att, sizeof att);
		/* below 90%: the level at which a pupil is persistently absent */
		int low = r[k].possible && 10 * r[k].present < 9 * r[k].possible;
		fprintf(out, "<tr><td>%s</td><td><a href=\"#school-%s\">", s->urn, s->urn);
		text(out, s->name ? s->name : "");
		fprintf(out, "</a></td><td>%" PRId64 "</td><td%s>%s%%</td><td>%" PRId64 "</td><td>%" PRId64 "</td>"
		             "<td>%ld</td><td>%ld</td></tr>\n",
		        f->pupils, low ? " class=\"low\"" : "", att, f->stats.all.persistent, f->stats.all.severe,
		        f->notices[N_ISSUED] + f->notices[N_PAID] + f->notices[N_PROSECUTED] + f->notices[N_OVERDUE],
		        f->notices[N_OVERDUE]);
	}
	fputs("</table>\n", out);
	free(r);
}

static void
school_section(FILE *out, const struct tool_la_school *s, const struct figures *f)
{
	fprintf(out, "<section id=\"school-%s\">\n<h2>%s ", s->urn, s->urn);
	text(out, s->name ? s->name : "");
	fputs("</h2>\n<p>Policy: ", out);
	text(out, s->policy);
	fputs("</p>\n", out);
	figures_table(out, f);
	stages_table(out, s->prog, f);
	char title[200];
	snprintf(title, sizeof title, "Attendance by school week, %s", s->name ? s->name : s->urn);
	tool_la_chart(out, title, f->stats.weeks, f->stats.nweeks);
	fputs("<p class=\"note\">Attendance each school week; the dashed line is 95%.</p>\n", out);
	fputs("<p><a href=\"#schools\">Back to the schools</a></p>\n</section>\n", out);
}

static void
write_page(FILE *out, const struct tool_la *la, const struct figures *per, const struct figures *t, rt_date from,
           rt_date as_of)
{
	char f[40], a[40], title[200];
	rt_date_format_long(from, f, sizeof f);
	rt_date_format_long(as_of, a, sizeof a);
	size_t schools = 0;
	for (size_t i = 0; i < la->n; i++)
		schools += per[i].ok;
	snprintf(title, sizeof title, "Attendance across %zu school%s, %s to %s", schools, schools == 1 ? "" : "s", f, a);
	page_head(out, title);
	fputs("<p>Figures by the DfE's methodology: enrolments in years 1 to 11 with a possible session; persistent "
	      "absence is 10% or more of a pupil's own possible sessions missed, severe absence 50% or more. "
	      "Stages are those of each school's own policy on the last day.</p>\n<section id=\"la\">\n"
	      "<h2>All schools</h2>\n", out);
	figures_table(out, t);
	tool_la_chart(out, "Attendance by school week, all schools", t->stats.weeks, t->stats.nweeks);
	fputs("<p class=\"note\">Attendance each school week, all schools together; the dashed line is 95%.</p>\n",
	      out);
	fputs("</section>\n", out);
	schools_table(out, la, per);
	for (size_t i = 0; i < la->n; i++)
		if (per[i].ok)
			school_section(out, &la->schools[i], &per[i]);
	fputs("</body>\n</html>\n", out);
}

int
tool_la_report(struct tool_la *la, rt_date from, rt_date as_of, FILE *out)
{
	struct figures *per = calloc(la->n + 1, sizeof *per), t = { 0 };
	struct reg_penalties *pen = per ? tool_la_penalties_load(la, NULL) : NULL;
	int rc = pen ? 0 : -1;
	for (size_t i = 0; i < la->n && !rc; i++) {
		if (la->schools[i].skip)
			continue;
		gather(la, &la->schools[i], from, as_of, &per[i]);
		count_notices(&pen[i], as_of, per[i].notices);
	}
	if (!rc && total(la, per, &t) == 0)
		write_page(out, la, per, &t, from, as_of);
	else
		rc = -1;
	for (size_t i = 0; per && i < la->n; i++) {
		eng_stats_free(&per[i].stats);
		free(per[i].at_stage);
	}
	eng_stats_free(&t.stats);
	tool_la_penalties_free(la, pen);
	free(per);
	return rc < 0 ? -1 : tool_la_status(la);
}

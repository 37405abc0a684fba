/*
 * The pupil's school year as an inline SVG strip (attend explain --format
 * html): a column per calendar week, a row per session (Monday morning to
 * Friday afternoon), each school session a cell coloured by its mark's
 * category; days the school is closed have no cell. The windows of the
 * measures that decided each rule that holds are outlined and numbered.
 */
#include "runtime/engine/year_strip.h"

#include <string.h>

#include "runtime/base/text.h"
#include "runtime/machine/measures.h"
#include "runtime/machine/opcodes.h"

enum { CELL = 13, STEP = 15, LEFT = 34, TOP = 30, DAY_GAP = 4 };

static const char *const category_colour[RT_CAT__COUNT] = {
	[RT_CAT_PRESENT] = "#2e7d32", [RT_CAT_EDUCATIONAL] = "#00897b", [RT_CAT_AUTHORISED] = "#f9a825",
	[RT_CAT_UNAUTHORISED] = "#c62828", [RT_CAT_NOT_POSSIBLE] = "#9e9e9e",
};

/* The first and last school day (indexes) of as_of's school year. */
static void
year_days(const struct rt_calendar *cal, rt_date as_of, size_t *first, size_t *last)
{
	int year = rt_date_school_year(as_of);
	size_t i = 0;
	while (i < cal->ndays && cal->days[i].year < year)
		i++;
	*first = i;
	while (i < cal->ndays && cal->days[i].year == year)
		i++;
	*last = i ? i - 1 : 0;
}

static int
cell_x(rt_date monday0, rt_date d)
{
	return LEFT + (int)((rt_date_week_start(d) - monday0) / 7) * STEP;
}

static int
cell_y(rt_date d, int session)
{
	int wd = rt_date_weekday(d); /* 0 = Monday */
	return TOP + wd * (2 * STEP + DAY_GAP) + session * STEP;
}

static void
cell(const struct rt_program *prog, const struct eng_outcome *o, size_t day, int session, rt_date monday0, FILE *out)
{
	const struct rt_school_day *sd = &o->ev->cal->days[day];
	if (!(sd->open & (session ? RT_OPEN_PM : RT_OPEN_AM)) || rt_date_weekday(sd->date) > 4)
		return;
	uint8_t mark = o->marks[2 * day + session];
	const char *fill = "#ffffff", *code = "no mark";
	if (sd->date > o->as_of)
		fill = "#eceff1", code = "after the date";
	else if (mark != RT_NO_MARK && mark < prog->ncodes)
		fill = category_colour[prog->codes[mark].category], code = rt_program_str(prog, prog->codes[mark].name);
	char date[11];
	rt_date_format(sd->date, date);
	fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\" stroke=\"#b0bec5\" "
	             "stroke-width=\"0.5\"><title>%s %s: ",
	        cell_x(monday0, sd->date), cell_y(sd->date, session), CELL, CELL, fill, date, session ? "PM" : "AM");
	base_html_text(out, code, strlen(code));
	fputs("</title></rect>\n", out);
}

static void
axes(rt_date monday0, rt_date last, FILE *out)
{
	static const char *const days[] = { "Mon", "Tue", "Wed", "Thu", "Fri" };
	for (int d = 0; d < 5; d++)
		fprintf(out, "<text x=\"2\" y=\"%d\" class=\"axis\">%s</text>\n", TOP + d * (2 * STEP + DAY_GAP) + 16, days[d]);
	int prev_month = 0;
	for (rt_date w = monday0; w <= last; w += 7) {
		int y, m, d;
		rt_date_to_ymd(w + 4, &y, &m, &d);
		if (m == prev_month)
			continue;
		static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
			                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
		fprintf(out, "<text x=\"%d\" y=\"%d\" class=\"axis\">%s</text>\n", cell_x(monday0, w), TOP - 8, months[m - 1]);
		prev_month = m;
	}
}

/* The window [from, to] outlined over its weeks, numbered n. */
static void
outline(rt_date monday0, rt_date from, rt_date to, int n, FILE *out)
{
	int x0 = cell_x(monday0, from) - 2 - n, x1 = cell_x(monday0, to) + CELL + 2 + n;
	int y0 = TOP - 3 - n, y1 = TOP + 5 * (2 * STEP + DAY_GAP) + n;
	fprintf(out, "<rect class=\"window w%d\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/>\n", n % 4, x0, y0, x1 - x0,
	        y1 - y0);
	/* the number under the window's first week, moved along when windows start together */
	fprintf(out, "<text class=\"wlabel w%d\" x=\"%d\" y=\"%d\">%d</text>\n", n % 4, x0 + 2 + 10 * (n - 1), y1 + 13, n);
}

size_t
eng_year_strip(const struct rt_program *prog, const struct eng_outcome *o, const struct eng_window *windows,
               size_t nwindows, FILE *out)
{
	const struct rt_calendar *cal = o->ev->cal;
	size_t first, last;
	year_days(cal, o->as_of, &first, &last);
	if (!cal->ndays || first >= cal->ndays)
		return 0;
	rt_date monday0 = rt_date_week_start(cal->days[first].date), end = cal->days[last].date;
	int width = cell_x(monday0, end) + STEP + 24, height = TOP + 5 * (2 * STEP + DAY_GAP) + 30;
	fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"strip\" width=\"%d\" height=\"%d\" "
	             "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"The pupil's school year, a cell per session\">\n",
	        width, height, width, height);
	axes(monday0, end, out);
	for (size_t d = first; d <= last; d++)
		for (int s = 0; s < 2; s++)
			cell(prog, o, d, s, monday0, out);
	for (size_t i = 0; i < nwindows; i++)
		outline(monday0, windows[i].from, windows[i].to, (int)i + 1, out);
	fputs("</svg>\n", out);
	return last - first + 1;
}

/* The window a measure read: a maximum's own span, else its period up to the as-of date. */
static int
measure_window(const struct rt_program *prog, const struct eng_outcome *o, size_t m, struct eng_window *w)
{
	const struct rt_calendar *cal = o->ev->cal;
	const struct rt_measure *ms = &prog->measures[m];
	if (rt_measure_spans(ms)) {
		const struct rt_span *sp = o->ev->spans ? &o->ev->spans[m] : NULL;
		if (!sp || sp->from == RT_DATE_MAX)
			return 0;
		w->from = sp->from, w->to = sp->to;
		return 1;
	}
	struct rt_period_anchor a;
	rt_period_anchor_init(&a, cal, o->as_of);
	size_t begin = rt_period_begin(&a, cal, ms);
	if (begin >= a.upto)
		return 0;
	w->from = cal->days[begin].date, w->to = cal->days[a.upto - 1].date;
	return 1;
}

static int
decides(const struct eng_outcome *o, const struct rt_rule *r, size_t i)
{
	return o->ev->outcomes[i] && (r->kind != RT_RULE_STAGE || (int)i == o->ev->stage_rule);
}

size_t
eng_deciding_windows(const struct rt_program *prog, const struct eng_outcome *o, struct eng_window *out, size_t max)
{
	size_t n = 0;
	const struct rt_eval *ev = o->ev;
	for (size_t t = 0; t < ev->ntrace && n < max; t++) {
		const struct rt_trace_entry *e = &ev->trace[t];
		if (!e->result || e->op == RT_OP_IN_FORCE || e->op == RT_OP_IN_YEARS || e->rule >= prog->nrules ||
		    !decides(o, &prog->rules[e->rule], e->rule))
			continue;
		for (size_t m = 0; m < prog->nmeasures; m++) {
			struct eng_window w = { 0, 0, e->rule, (uint32_t)m };
			if (prog->measures[m].label != e->label || !measure_window(prog, o, m, &w))
				continue;
			int seen = 0;
			for (size_t k = 0; k < n; k++)
				seen |= out[k].rule == w.rule && out[k].measure == w.measure;
			if (!seen)
				out[n++] = w;
			break;
		}
	}
	return n;
}

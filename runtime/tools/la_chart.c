/* A small inline SVG line chart of attendance by school week (attend la report). */
#include "runtime/tools/la_chart.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/base/text.h"

#define W 640
#define H 200
#define LEFT 44
#define RIGHT 12
#define TOP 12
#define BOTTOM 28

static double
pct(const struct eng_stats_week *w)
{
	return w->possible ? 100.0 * (double)(w->possible - w->absent) / (double)w->possible : 100.0;
}

/* The lowest gridline: a multiple of 5 below every week, and at most 90%. */
static int
floor_of(const struct eng_stats_week *weeks, size_t n)
{
	double lo = 90;
	for (size_t i = 0; i < n; i++)
		if (weeks[i].possible && pct(&weeks[i]) < lo)
			lo = pct(&weeks[i]);
	int f = (int)(lo / 5) * 5;
	return f < 0 ? 0 : f;
}

/* Weeks are placed by date, so that holidays show as gaps in the line's spacing. */
static double
x_of(const struct eng_stats_week *weeks, size_t n, size_t i)
{
	double span = n > 1 ? (double)(weeks[n - 1].monday - weeks[0].monday) : 1;
	return LEFT + (double)(weeks[i].monday - weeks[0].monday) * (W - LEFT - RIGHT) / span;
}

static double
y_of(const struct eng_stats_week *w, int lo)
{
	return TOP + (100 - pct(w)) * (H - TOP - BOTTOM) / (100 - lo);
}

static void
axes(FILE *out, int lo, const struct eng_stats_week *weeks, size_t n)
{
	for (int g = lo; g <= 100; g += 5) {
		double y = TOP + (double)(100 - g) * (H - TOP - BOTTOM) / (100 - lo);
		fprintf(out, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" class=\"%s\"/>"
		             "<text x=\"%d\" y=\"%.1f\" class=\"ylab\">%d%%</text>\n",
		        LEFT, y, W - RIGHT, y, g == 95 ? "target" : "grid", LEFT - 4, y + 4, g);
	}
	int last_month = 0;
	for (size_t i = 0; i < n; i++) {
		int y, m, d;
		rt_date_to_ymd(weeks[i].monday + 6, &y, &m, &d); /* the month the week ends in */
		if (m == last_month)
			continue;
		static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
			                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
		fprintf(out, "<text x=\"%.1f\" y=\"%d\" class=\"xlab\">%s</text>\n", x_of(weeks, n, i), H - 8,
		        months[m - 1]);
		last_month = m;
	}
}

void
tool_la_chart(FILE *out, const char *title, const struct eng_stats_week *weeks, size_t n)
{
	fprintf(out, "<svg class=\"chart\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\" "
	             "xmlns=\"http://www.w3.org/2000/svg\">\n<title>", W, H, W, H);
	base_html_text(out, title, strlen(title));
	fputs("</title>\n", out);
	if (!n) {
		fprintf(out, "<text x=\"%d\" y=\"%d\" class=\"xlab\">no school weeks in the period</text>\n</svg>\n", W / 2,
		        H / 2);
		return;
	}
	int lo = floor_of(weeks, n);
	axes(out, lo, weeks, n);
	fputs("<polyline class=\"line\" points=\"", out);
	for (size_t i = 0; i < n; i++)
		fprintf(out, "%s%.1f,%.1f", i ? " " : "", x_of(weeks, n, i), y_of(&weeks[i], lo));
	fputs("\"/>\n", out);
	for (size_t i = 0; i < n; i++) {
		char monday[11];
		rt_date_format(weeks[i].monday, monday);
		fprintf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\"><title>week of %s: %.1f%% (%" PRId64
		             " of %" PRId64 " sessions attended)</title></circle>\n",
		        x_of(weeks, n, i), y_of(&weeks[i], lo), monday,
		        pct(&weeks[i]), weeks[i].possible - weeks[i].absent, weeks[i].possible);
	}
	fputs("</svg>\n", out);
}

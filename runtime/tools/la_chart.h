/* The attendance-by-week chart of attend la report: inline SVG, no script. */
#ifndef TOOL_LA_CHART_H
#define TOOL_LA_CHART_H

#include <stdio.h>

#include "runtime/engine/stats.h"

/* Attendance % per school week as a line over gridlines every 5% (95% drawn
 * as the target), months along the bottom, each point titled with its figures. */
void tool_la_chart(FILE *out, const char *title, const struct eng_stats_week *weeks, size_t n);

#endif

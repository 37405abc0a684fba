/* Shared by the unit tests of test, validate and diff: a small statutory
 * baseline and a one-week calendar, compiled from memory. */
#ifndef TOOLS_FIXTURE_H
#define TOOLS_FIXTURE_H

#include <string.h>

#include "lang/lang.h"
#include "runtime/machine/program.h"
#include "runtime/machine/bytecode.h"

#define BASELINE_TEXT                                                                   \
	"policy \"Base\"\n"                                                             \
	"approved 2024-08-19\n"                                                         \
	"code \"/\" present \"am\"\n"                                                  \
	"code \"\\\" present \"pm\"\n"                                                 \
	"code \"I\" authorised \"ill\"\n"                                              \
	"code \"O\" unauthorised \"other\" counts toward penalty notices\n"            \
	"flag persistent_absence \"PA\"\n"                                              \
	"  when absence rate >= 10%\n"                                                  \
	"end\n"                                                                         \
	"penalty notice\n"                                                              \
	"  consider when penalty sessions in the last 10 school weeks >= 10 sessions\n" \
	"  first notice £80 within 21 days, £160 within 28 days from 2024-08-19\n"      \
	"  second notice £160 within 28 days from 2024-08-19\n"                         \
	"  at most 2 notices in 3 years, otherwise \"x\"\n"                             \
	"  unpaid after 28 days \"y\"\n"                                                \
	"end\n"

static inline struct rt_program *
compile_text(const char *text)
{
	struct lang_options opt = { NULL, 0, stderr, 0, 0 };
	struct rt_program *p = NULL;
	char err[256];
	if (lang_compile_string("t.policy", text, strlen(text), &opt, &p) != 0)
		return NULL;
	if (rt_verify(p, err, sizeof err)) {
		rt_program_free(p);
		return NULL;
	}
	return p;
}

#endif

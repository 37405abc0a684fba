/* The impact of a policy change on a register (diff.h). */
#include "runtime/tools/diff.h"
#include "runtime/base/text.h"
#include "runtime/engine/history.h"
#include "runtime/engine/penalties.h"
#include "runtime/engine/codemap.h"
#include "runtime/engine/run.h"

#include <stdlib.h>
#include <string.h>

#include "runtime/machine/eval.h"

static char *
dup(const char *s)
{
	char *p = strdup(s ? s : "");
	if (!p)
		abort();
	return p;
}

/* store code id -> policy code index; reports the codes the policy lacks. */
static int
penalty_holds(const struct rt_program *p, const struct rt_eval *ev)
{
	for (size_t i = 0; i < p->nrules; i++)
		if (p->rules[i].kind == RT_RULE_PENALTY && ev->outcomes[i])
			return 1;
	return 0;
}

static int
flag_holds(const struct rt_program *p, const struct rt_eval *ev, const char *name)
{
	for (size_t i = 0; i < p->nrules; i++)
		if (p->rules[i].kind == RT_RULE_FLAG && ev->outcomes[i] && strcmp(rt_program_str(p, p->rules[i].name), name) == 0)
			return 1;
	return 0;
}

/* "+name" for flags that start holding, "-name" for flags that stop. */
static char *
flag_changes(const struct rt_program *a, const struct rt_eval *ea, const struct rt_program *b,
             const struct rt_eval *eb)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	if (!out)
		abort();
	for (size_t i = 0; i < b->nrules; i++) {
		const char *name = rt_program_str(b, b->rules[i].name);
		if (b->rules[i].kind == RT_RULE_FLAG && eb->outcomes[i] && !flag_holds(a, ea, name))
			fprintf(out, "%s+%s", ftell(out) ? " " : "", name);
	}
	for (size_t i = 0; i < a->nrules; i++) {
		const char *name = rt_program_str(a, a->rules[i].name);
		if (a->rules[i].kind == RT_RULE_FLAG && ea->outcomes[i] && !flag_holds(b, eb, name))
			fprintf(out, "%s-%s", ftell(out) ? " " : "", name);
	}
	fclose(out);
	return text;
}

static struct tool_diff_year *
year_entry(struct tool_diff *d, int year_group)
{
	size_t i = 0;
	while (i < d->nyears && d->years[i].year_group < year_group)
		i++;
	if (i < d->nyears && d->years[i].year_group == year_group)
		return &d->years[i];
	d->years = rt_grow(d->years, &d->cap_years, d->nyears + 1, sizeof *d->years);
	memmove(&d->years[i + 1], &d->years[i], (d->nyears - i) * sizeof *d->years);
	d->nyears++;
	d->years[i] = (struct tool_diff_year){ .year_group = year_group };
	return &d->years[i];
}

static void
count_move(struct tool_diff *d, int from, int to)
{
	size_t i = 0;
	while (i < d->nmoves && (d->moves[i].from < from || (d->moves[i].from == from && d->moves[i].to < to)))
		i++;
	if (i < d->nmoves && d->moves[i].from == from && d->moves[i].to == to) {
		d->moves[i].pupils++;
		return;
	}
	d->moves = rt_grow(d->moves, &d->cap_moves, d->nmoves + 1, sizeof *d->moves);
	memmove(&d->moves[i + 1], &d->moves[i], (d->nmoves - i) * sizeof *d->moves);
	d->nmoves++;
	d->moves[i] = (struct tool_diff_move){ from, to, 1 };
}

int
tool_diff_run(const struct rt_program *old_prog, const struct rt_program *new_prog, struct reg_store *store,
            rt_date as_of, struct tool_diff *out, FILE *diag)
{
	struct rt_calendar cal = { 0 };
	char **names = NULL;
	size_t nnames = 0;
	struct reg_cursor *cur = NULL;
	struct rt_eval ev_old, ev_new;
	uint8_t xlat_old[256], xlat_new[256];
	uint8_t *marks_old = NULL, *marks_new = NULL;
	struct eng_history_book book_old = { 0 }, book_new = { 0 };
	struct reg_penalties pen = { 0 };
	rt_date *none_old = NULL, *none_new = NULL;
	int status = -1, ready = 0;

	memset(out, 0, sizeof *out);
	out->as_of = as_of;
	/* Stages that rest on earlier decisions read the history recorded under the
	 * policy in force (the old one); the new policy sees the same history,
	 * matched rule by rule (stage number, flag name). */
	if (reg_load_calendar(store, &cal) || reg_codes(store, &names, &nnames) || reg_penalties_load(store, NULL, &pen)) {
		fprintf(diag, "attend: %s\n", reg_error(store));
		goto done;
	}
	const char *key = eng_history_policy_key(old_prog);
	int loaded = eng_history_book_load(&book_old, old_prog, store, key, as_of, NULL);
	if (!loaded)
		loaded = eng_history_book_load(&book_new, new_prog, store, key, as_of, NULL);
	if (loaded) {
		fprintf(diag, "attend: %s\n", loaded < 0 ? reg_error(store) : "out of memory");
		goto done;
	}
	int missing = eng_map_codes(old_prog, "the old policy", store, names, nnames, xlat_old, diag);
	missing += eng_map_codes(new_prog, "the new policy", store, names, nnames, xlat_new, diag);
	if (missing) {
		status = 1;
		goto done;
	}
	marks_old = malloc(cal.ndays * 2 + 1);
	marks_new = malloc(cal.ndays * 2 + 1);
	none_old = malloc((old_prog->nrules + 1) * sizeof *none_old);
	none_new = malloc((new_prog->nrules + 1) * sizeof *none_new);
	if (!marks_old || !marks_new || !none_old || !none_new || rt_eval_init(&ev_old, old_prog, &cal)) {
		fprintf(diag, "attend: out of memory\n");
		goto done;
	}
	if (rt_eval_init(&ev_new, new_prog, &cal)) {
		rt_eval_free(&ev_old);
		fprintf(diag, "attend: out of memory\n");
		goto done;
	}
	ready = 1;
	if (reg_pupils_open(store, NULL, &cur)) {
		fprintf(diag, "attend: %s\n", reg_error(store));
		goto done;
	}
	eng_history_clear(none_old, old_prog->nrules);
	eng_history_clear(none_new, new_prog->nrules);
	struct reg_pupil pupil;
	int rc;
	size_t nsessions = cal.ndays * 2;
	while ((rc = reg_pupils_next(cur, &pupil)) == 1) {
		size_t have = pupil.nmarks < nsessions ? pupil.nmarks : nsessions;
		for (size_t i = 0; i < have; i++) {
			marks_old[i] = pupil.marks[i] ? xlat_old[pupil.marks[i]] : RT_NO_MARK;
			marks_new[i] = pupil.marks[i] ? xlat_new[pupil.marks[i]] : RT_NO_MARK;
		}
		memset(marks_old + have, RT_NO_MARK, nsessions - have);
		memset(marks_new + have, RT_NO_MARK, nsessions - have);
		struct eng_pupil_penalties pp;
		eng_penalties_of(&pen, pupil.id, &pp);
		rt_date counted = eng_penalties_counted_until(&pp, as_of);
		const rt_date *held_old = eng_history_book_find(&book_old, pupil.id);
		const rt_date *held_new = eng_history_book_find(&book_new, pupil.id);
		struct rt_pupil_history h_old = { held_old ? held_old : none_old, counted };
		struct rt_pupil_history h_new = { held_new ? held_new : none_new, counted };
		ev_old.year = ev_new.year = pupil.year_group;
		if (rt_eval_pupil_history(&ev_old, marks_old, as_of, &h_old) ||
		    rt_eval_pupil_history(&ev_new, marks_new, as_of, &h_new)) {
			fprintf(diag, "attend: pupil %s: %s\n", pupil.upn, ev_old.error[0] ? ev_old.error : ev_new.error);
			goto done;
		}
		out->pupils++;
		struct tool_diff_year *y = year_entry(out, pupil.year_group);
		y->pupils++;
		int old_pen = penalty_holds(old_prog, &ev_old), new_pen = penalty_holds(new_prog, &ev_new);
		char *flags = flag_changes(old_prog, &ev_old, new_prog, &ev_new);
		if (ev_old.stage == ev_new.stage && old_pen == new_pen && !flags[0]) {
			free(flags);
			continue;
		}
		y->affected++;
		if (ev_new.stage > ev_old.stage)
			y->up++;
		else if (ev_new.stage < ev_old.stage)
			y->down++;
		if (ev_new.stage != ev_old.stage)
			count_move(out, ev_old.stage, ev_new.stage);
		if (new_pen && !old_pen) {
			y->notices_appear++;
			out->notices_appear++;
		} else if (old_pen && !new_pen) {
			y->notices_disappear++;
			out->notices_disappear++;
		}
		char name[256];
		snprintf(name, sizeof name, "%s, %s", pupil.surname ? pupil.surname : "", pupil.forename ? pupil.forename : "");
		out->affected = rt_grow(out->affected, &out->cap_affected, out->naffected + 1, sizeof *out->affected);
		out->affected[out->naffected++] = (struct tool_diff_pupil){
			dup(pupil.upn), dup(name), pupil.year_group, ev_old.stage, ev_new.stage, old_pen, new_pen, flags,
		};
	}
	if (rc < 0) {
		fprintf(diag, "attend: %s\n", reg_error(store));
		goto done;
	}
	status = 0;
done:
	reg_pupils_close(cur);
	if (ready) {
		rt_eval_free(&ev_old);
		rt_eval_free(&ev_new);
	}
	free(marks_old);
	free(marks_new);
	free(none_old);
	free(none_new);
	eng_history_book_free(&book_old);
	eng_history_book_free(&book_new);
	reg_penalties_free(&pen);
	reg_free_codes(names, nnames);
	rt_calendar_free(&cal);
	return status;
}

void
tool_diff_free(struct tool_diff *d)
{
	for (size_t i = 0; i < d->naffected; i++) {
		free(d->affected[i].upn);
		free(d->affected[i].name);
		free(d->affected[i].flags);
	}
	free(d->affected);
	free(d->moves);
	free(d->years);
	memset(d, 0, sizeof *d);
}


static void
stage_text(int stage, char *buf, size_t size)
{
	if (stage)
		snprintf(buf, size, "%d", stage);
	else
		snprintf(buf, size, "none");
}

static void
year_text(int year, char *buf, size_t size)
{
	char name[8];
	snprintf(buf, size, "%s", year == RT_NO_YEAR ? "-" : rt_year_name(year, name));
}

static void
write_text(const struct tool_diff *d, const char *old_name, const char *new_name, FILE *out)
{
	char when[11];
	rt_date_format(d->as_of, when);
	fprintf(out, "Impact of %s (new) against %s (old), as of %s\n", new_name, old_name, when);
	fprintf(out, "%zu pupils evaluated, %zu affected\n", d->pupils, d->naffected);
	fprintf(out, "\nStage moves:\n");
	if (!d->nmoves)
		fprintf(out, "  none\n");
	for (size_t i = 0; i < d->nmoves; i++) {
		char a[16], b[16];
		stage_text(d->moves[i].from, a, sizeof a);
		stage_text(d->moves[i].to, b, sizeof b);
		fprintf(out, "  stage %s -> %s: %zu pupil%s\n", a, b, d->moves[i].pupils, d->moves[i].pupils == 1 ? "" : "s");
	}
	fprintf(out, "\nPenalty notices to consider: %zu appear, %zu disappear\n", d->notices_appear, d->notices_disappear);
	fprintf(out, "\nPupils affected:\n");
	if (!d->naffected)
		fprintf(out, "  none\n");
	for (size_t i = 0; i < d->naffected; i++) {
		const struct tool_diff_pupil *p = &d->affected[i];
		char year[16], a[16], b[16];
		year_text(p->year_group, year, sizeof year);
		fprintf(out, "  %s  %s  (year %s):", p->upn, p->name, year);
		const char *sep = " ";
		if (p->old_stage != p->new_stage) {
			stage_text(p->old_stage, a, sizeof a);
			stage_text(p->new_stage, b, sizeof b);
			fprintf(out, "%sstage %s -> %s", sep, a, b);
			sep = "; ";
		}
		if (p->old_penalty != p->new_penalty) {
			fprintf(out, "%spenalty notice %s", sep, p->new_penalty ? "appears" : "disappears");
			sep = "; ";
		}
		if (p->flags[0])
			fprintf(out, "%sflags %s", sep, p->flags);
		fputc('\n', out);
	}
	fprintf(out, "\nBy year group:\n");
	fprintf(out, "  %-5s %7s %9s %9s %11s %15s %18s\n", "year", "pupils", "affected", "stage up", "stage down",
	        "notices appear", "notices disappear");
	size_t totals[6] = { 0 };
	for (size_t i = 0; i < d->nyears; i++) {
		const struct tool_diff_year *y = &d->years[i];
		char year[16];
		year_text(y->year_group, year, sizeof year);
		fprintf(out, "  %-5s %7zu %9zu %9zu %11zu %15zu %18zu\n", year, y->pupils, y->affected, y->up, y->down,
		        y->notices_appear, y->notices_disappear);
		size_t v[6] = { y->pupils, y->affected, y->up, y->down, y->notices_appear, y->notices_disappear };
		for (int k = 0; k < 6; k++)
			totals[k] += v[k];
	}
	fprintf(out, "  %-5s %7zu %9zu %9zu %11zu %15zu %18zu\n", "all", totals[0], totals[1], totals[2], totals[3],
	        totals[4], totals[5]);
}

static void
json_stage(FILE *out, int stage)
{
	if (stage)
		fprintf(out, "%d", stage);
	else
		fputs("null", out);
}

static void
write_json(const struct tool_diff *d, const char *old_name, const char *new_name, FILE *out)
{
	char when[11];
	rt_date_format(d->as_of, when);
	fputs("{\"old\":", out);
	base_json_string(out, old_name);
	fputs(",\"new\":", out);
	base_json_string(out, new_name);
	fprintf(out, ",\"as_of\":\"%s\",\"pupils\":%zu,\"affected\":%zu,\"stage_moves\":[", when, d->pupils, d->naffected);
	for (size_t i = 0; i < d->nmoves; i++) {
		fprintf(out, "%s{\"from\":", i ? "," : "");
		json_stage(out, d->moves[i].from);
		fputs(",\"to\":", out);
		json_stage(out, d->moves[i].to);
		fprintf(out, ",\"pupils\":%zu}", d->moves[i].pupils);
	}
	fprintf(out, "],\"notices_appear\":%zu,\"notices_disappear\":%zu,\"pupils_affected\":[", d->notices_appear,
	        d->notices_disappear);
	for (size_t i = 0; i < d->naffected; i++) {
		const struct tool_diff_pupil *p = &d->affected[i];
		fprintf(out, "%s{\"upn\":", i ? "," : "");
		base_json_string(out, p->upn);
		fputs(",\"name\":", out);
		base_json_string(out, p->name);
		if (p->year_group == RT_NO_YEAR)
			fputs(",\"year_group\":null", out);
		else
			fprintf(out, ",\"year_group\":%d", p->year_group);
		fputs(",\"old_stage\":", out);
		json_stage(out, p->old_stage);
		fputs(",\"new_stage\":", out);
		json_stage(out, p->new_stage);
		fprintf(out, ",\"old_penalty_notice\":%s,\"new_penalty_notice\":%s,\"flags\":[",
		        p->old_penalty ? "true" : "false", p->new_penalty ? "true" : "false");
		/* flags is "+a -b": one JSON string per change */
		const char *s = p->flags;
		int first = 1;
		while (*s) {
			const char *e = strchr(s, ' ');
			size_t n = e ? (size_t)(e - s) : strlen(s);
			fprintf(out, "%s\"%.*s\"", first ? "" : ",", (int)n, s);
			first = 0;
			s += n;
			while (*s == ' ')
				s++;
		}
		fputs("]}", out);
	}
	fputs("],\"by_year_group\":[", out);
	for (size_t i = 0; i < d->nyears; i++) {
		const struct tool_diff_year *y = &d->years[i];
		fputs(i ? ",{\"year_group\":" : "{\"year_group\":", out);
		if (y->year_group == RT_NO_YEAR)
			fputs("null", out);
		else
			fprintf(out, "%d", y->year_group);
		fprintf(out, ",\"pupils\":%zu,\"affected\":%zu,\"stage_up\":%zu,\"stage_down\":%zu,\"notices_appear\":%zu,"
		             "\"notices_disappear\":%zu}",
		        y->pupils, y->affected, y->up, y->down, y->notices_appear, y->notices_disappear);
	}
	fputs("]}\n", out);
}

void
tool_diff_write(const struct tool_diff *d, const char *old_name, const char *new_name, enum tool_diff_format format,
              FILE *out)
{
	if (format == TOOL_DIFF_JSON)
		write_json(d, old_name, new_name, out);
	else
		write_text(d, old_name, new_name, out);
}

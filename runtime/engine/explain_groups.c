#include "runtime/engine/explain_groups.h"

#include "runtime/machine/opcodes.h"

const char *
eng_policy_file(const struct rt_program *prog, uint32_t file)
{
	if (file == RT_NO_STRING || file == prog->source_file)
		return "policy";
	return rt_program_str(prog, file);
}

/* "1 (key stage 1, primary)", "N2 (nursery)" */
static void
year_words(int year, char *buf, size_t size)
{
	char name[8];
	int ks = rt_key_stage_of(year);
	if (ks)
		snprintf(buf, size, "%s (key stage %d, %s)", rt_year_name(year, name), ks, rt_phase_of(year));
	else
		snprintf(buf, size, "%s (%s)", rt_year_name(year, name), rt_phase_of(year));
}

static void
explain_times(const struct rt_program *prog, int session, int year, FILE *out)
{
	const char *sname = session == RT_AM ? "AM" : "PM";
	struct rt_register_times t = rt_register_times(prog, session, year);
	char open[6] = "-", close[6] = "-", years[16];
	if (t.opens >= 0)
		rt_time_format(t.opens, open);
	if (t.closes >= 0)
		rt_time_format(t.closes, close);
	if (t.opens < 0 && t.closes < 0)
		fprintf(out, "  %s register: no times stated", sname);
	else
		fprintf(out, "  %s register: opens %s, closes %s", sname, open, close);
	for (size_t i = 0; i < prog->narrivals; i++) {
		const struct rt_arrival_rule *a = &prog->arrivals[i];
		if (a->session != session || a->group != t.rules)
			continue;
		char after[6];
		rt_time_format(a->after, after);
		fprintf(out, "; arriving after %s is %s", after, rt_program_str(prog, prog->codes[a->code].name));
	}
	if (t.group >= 0) {
		const struct rt_group_session *g = &prog->groups[t.group];
		rt_years_format(g->from, g->until, years);
		fprintf(out, " (the times for years %s, %s line %u)\n", years, eng_policy_file(prog, g->file), g->line);
	} else if (prog->sessions[session].line) {
		fprintf(out, " (the school's, %s line %u)\n", eng_policy_file(prog, prog->sessions[session].file),
		        prog->sessions[session].line);
	} else {
		fprintf(out, " (the school's)\n");
	}
}

void
eng_explain_groups(const struct rt_program *prog, const struct eng_outcome *o, FILE *out)
{
	int year = o->pupil->year_group, conditions = 0;
	for (size_t i = 0; i < prog->ncode; i++)
		conditions |= prog->code[i].op == RT_OP_IN_YEARS;
	/* Said where groups decide something for this pupil, so a pupil under the school's times in a
	 * policy without group conditions reads as before. */
	int own_times = rt_register_times(prog, RT_AM, year).group >= 0 || rt_register_times(prog, RT_PM, year).group >= 0;
	if (!conditions && !own_times && (year != RT_NO_YEAR || !prog->ngroups))
		return;
	char words[64];
	fprintf(out, "\nPupil groups:\n");
	if (year == RT_NO_YEAR) {
		fprintf(out, "  year group: not recorded in the register, so no year-group condition holds and the "
		             "school's register times apply\n");
	} else {
		year_words(year, words, sizeof words);
		fprintf(out, "  year group: %s\n", words);
	}
	explain_times(prog, RT_AM, year, out);
	explain_times(prog, RT_PM, year, out);
}

void
eng_explain_years(const struct rt_trace_entry *e, FILE *out)
{
	int from = 0, until = 0;
	char years[16], name[8];
	rt_years_unpack(e->label, &from, &until);
	rt_years_format(from, until, years);
	int ks = rt_key_stage_of(from);
	int kf, ku;
	char also[32] = "";
	if (ks && rt_key_stage_years(ks, &kf, &ku) == 0 && kf == from && ku == until)
		snprintf(also, sizeof also, " (key stage %d)", ks);
	else if (rt_phase_years(rt_phase_of(from), &kf, &ku) == 0 && kf == from && ku == until)
		snprintf(also, sizeof also, " (%s)", rt_phase_of(from));
	if (e->left.unit == RT_UNIT_NONE_VALUE)
		fprintf(out, "      in years %s%s: no year group recorded for the pupil: no\n", years, also);
	else
		fprintf(out, "      in years %s%s: the pupil is in year %s: %s\n", years, also,
		        rt_year_name((int)e->left.num, name), e->result ? "yes" : "no");
}

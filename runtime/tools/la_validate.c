/* attend la validate: every school's policy against the statute, in one report. */
#include "runtime/tools/la.h"

#include <stdlib.h>
#include <string.h>

#include "runtime/base/text.h"
#include "runtime/tools/validate.h"

/* The school's name: the manifest's or the register's, else the one its policy gives. */
static const char *
school_name(const struct tool_la_school *s)
{
	if (s->name)
		return s->name;
	const struct rt_fact *f = s->prog ? rt_program_find_fact(s->prog, "identity.school") : NULL;
	return f && f->text != RT_NO_STRING ? rt_program_str(s->prog, f->text) : "";
}

static const char *const level_names[] = { "error", "warning", "note" };

static void
write_text(const struct tool_la *la, const struct base_findings *per, FILE *out)
{
	size_t agree = 0, errors = 0, warnings = 0, checked = 0, unchecked = 0;
	for (size_t i = 0; i < la->n; i++) {
		const struct tool_la_school *s = &la->schools[i];
		unchecked += !s->skip && !s->prog;
		if (s->skip || !s->prog)
			continue;
		size_t e = base_findings_count(&per[i], BASE_FINDING_ERROR);
		size_t w = base_findings_count(&per[i], BASE_FINDING_WARNING);
		fprintf(out, "%s %s (%s): %zu error%s, %zu warning%s\n", s->urn, school_name(s), s->policy, e,
		        e == 1 ? "" : "s", w, w == 1 ? "" : "s");
		base_findings_write(&per[i], BASE_FINDINGS_TEXT, 0, out);
		checked++;
		agree += !e && !w;
		errors += e;
		warnings += w;
	}
	fprintf(out, "%zu school%s checked: %zu agree with the statute, %zu with findings (%zu errors, %zu warnings);"
	             " %zu could not be checked\n", checked, checked == 1 ? "" : "s", agree, checked - agree, errors,
	        warnings, unchecked);
}

static void
write_json(const struct tool_la *la, const struct base_findings *per, FILE *out)
{
	for (size_t i = 0; i < la->n; i++)
		for (size_t k = 0; k < per[i].n; k++) {
			const struct base_finding *g = &per[i].items[k];
			fprintf(out, "{\"urn\":\"%s\",\"school\":", la->schools[i].urn);
			base_json_string(out, school_name(&la->schools[i]));
			fputs(",\"file\":", out);
			base_json_string(out, g->file ? g->file : "");
			fprintf(out, ",\"line\":%u,\"column\":%u,\"level\":\"%s\",\"rule\":", g->line, g->column,
			        level_names[g->level]);
			base_json_string(out, g->rule);
			fputs(",\"message\":", out);
			base_json_string(out, g->message);
			fputs("}\n", out);
		}
}

static void
write_csv(const struct tool_la *la, const struct base_findings *per, FILE *out)
{
	fputs("urn,school,policy,line,column,level,rule,message\n", out);
	for (size_t i = 0; i < la->n; i++)
		for (size_t k = 0; k < per[i].n; k++) {
			const struct base_finding *g = &per[i].items[k];
			fprintf(out, "%s,", la->schools[i].urn);
			base_csv_field(out, school_name(&la->schools[i]));
			putc(',', out);
			base_csv_field(out, g->file ? g->file : "");
			fprintf(out, ",%u,%u,%s,", g->line, g->column, level_names[g->level]);
			base_csv_field(out, g->rule);
			putc(',', out);
			base_csv_field(out, g->message);
			putc('\n', out);
		}
}

/* One SARIF run per school checked, its properties naming the school. */
static int
write_sarif(const struct tool_la *la, const struct base_findings *per, FILE *out)
{
	const struct base_findings **runs = calloc(la->n + 1, sizeof *runs);
	char **extra = calloc(la->n + 1, sizeof *extra);
	size_t n = 0;
	int rc = runs && extra ? 0 : -1;
	for (size_t i = 0; i < la->n && !rc; i++) {
		if (la->schools[i].skip || !la->schools[i].prog)
			continue;
		char *buf = NULL;
		size_t len = 0;
		FILE *mem = open_memstream(&buf, &len);
		if (!mem) {
			rc = -1;
			break;
		}
		fprintf(mem, ", \"urn\": \"%s\", \"school\": ", la->schools[i].urn);
		base_json_string(mem, school_name(&la->schools[i]));
		fclose(mem);
		runs[n] = &per[i];
		extra[n++] = buf;
	}
	if (!rc)
		base_findings_write_sarif_runs(runs, (const char *const *)extra, n, out);
	for (size_t i = 0; i < n; i++)
		free(extra[i]);
	free(extra);
	free(runs);
	return rc;
}

int
tool_la_validate(struct tool_la *la, const struct rt_program *baseline, const char *baseline_path, rt_date on,
                 enum tool_la_findings_format format, FILE *out)
{
	struct base_findings *per = calloc(la->n + 1, sizeof *per);
	if (!per)
		return -1;
	int found = 0, rc = 0;
	for (size_t i = 0; i < la->n; i++) {
		struct tool_la_school *s = &la->schools[i];
		per[i].tool_command = "la validate";
		if (s->skip || tool_la_policy(la, s))
			continue;
		struct tool_validate_options vo = { .on = on, .policy_path = s->policy, .baseline_path = baseline_path };
		if (tool_validate(s->prog, baseline, &vo, &per[i]) < 0)
			rc = -1;
		found |= base_findings_count(&per[i], BASE_FINDING_ERROR) || base_findings_count(&per[i], BASE_FINDING_WARNING);
	}
	switch (format) {
	case TOOL_LA_TEXT: write_text(la, per, out); break;
	case TOOL_LA_JSON: write_json(la, per, out); break;
	case TOOL_LA_CSV: write_csv(la, per, out); break;
	case TOOL_LA_SARIF: rc = write_sarif(la, per, out) ? -1 : rc; break;
	}
	for (size_t i = 0; i < la->n; i++)
		base_findings_free(&per[i]);
	free(per);
	return rc < 0 ? -1 : found || tool_la_status(la);
}

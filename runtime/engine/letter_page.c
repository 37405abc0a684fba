/*
 * A letter's page: the letterhead (the school's name, and the policy's
 * `letterhead` block), the parents' names and address, the date, the title,
 * the text, and the signatory. As plain text, and as HTML for A4 paper: one
 * letter a page, so that a print run (every letter of a day in one file)
 * prints as it should.
 */
#include "runtime/engine/letters.h"

#include <inttypes.h>
#include <string.h>

#include "runtime/base/text.h"

static void
emit_plain(FILE *out, const char *s, size_t len)
{
	fwrite(s, 1, len, out);
}

static void
figures_plain(FILE *out, const struct rt_summary *s)
{
	char rate[48];
	eng_letter_rate(s, rate, sizeof rate);
	fprintf(out, "  Sessions possible  %8" PRId64 "\n  Sessions attended  %8" PRId64 "\n  Sessions missed    %8" PRId64
	             "\n  Attendance         %8s",
	        s->possible, s->present, s->authorised + s->unauthorised, *rate ? rate : "-");
}

static void
figures_html(FILE *out, const struct rt_summary *s)
{
	char rate[48];
	eng_letter_rate(s, rate, sizeof rate);
	fprintf(out, "<table class=\"figures\"><tr><th>Sessions possible</th><td>%" PRId64 "</td></tr>"
	             "<tr><th>Sessions attended</th><td>%" PRId64 "</td></tr><tr><th>Sessions missed</th><td>%" PRId64
	             "</td></tr><tr><th>Attendance</th><td>%s</td></tr></table>",
	        s->possible, s->present, s->authorised + s->unauthorised, *rate ? rate : "-");
}

static const struct eng_letter_style plain = { emit_plain, figures_plain, 0 };
static const struct eng_letter_style html = { base_html_text, figures_html, 1 };

/* "Telephone: ...", on a line of its own after what came before, when the letterhead gives it. */
static int
contact_line(const struct rt_program *prog, const char *field, const char *label, int after, FILE *out)
{
	const char *v = eng_letterhead(prog, field);
	if (!v)
		return after;
	if (after)
		fputc('\n', out);
	base_html_text(out, label, strlen(label));
	base_html_text(out, v, strlen(v));
	return 1;
}

static void
put_line(const char *s, const struct eng_letter_style *st, FILE *out)
{
	if (s && *s) {
		st->text(out, s, strlen(s));
		fputc('\n', out);
	}
}

static void
text_head(const struct rt_program *prog, FILE *out)
{
	put_line(eng_letterhead(prog, "school"), &plain, out);
	put_line(eng_letterhead(prog, "address"), &plain, out);
	const char *tel = eng_letterhead(prog, "telephone"), *email = eng_letterhead(prog, "email");
	if (tel)
		fprintf(out, "Telephone: %s\n", tel);
	if (email)
		fprintf(out, "Email: %s\n", email);
	fputc('\n', out);
}

void
eng_letter_write_text(const struct rt_program *prog, const struct rt_letter *l, const struct eng_letter_pupil *lp,
                      FILE *out)
{
	text_head(prog, out);
	eng_letter_parents(lp, &plain, out);
	fputc('\n', out);
	put_line(eng_letter_address(lp), &plain, out);
	char date[64];
	rt_date_format_long(lp->as_of, date, sizeof date);
	fprintf(out, "\n%s\n\n%s\n\n", date, rt_program_str(prog, l->title));
	eng_letter_body(prog, l, lp, &plain, out);
	fputc('\n', out);
	if (eng_letterhead(prog, "signatory"))
		fputc('\n', out);
	put_line(eng_letterhead(prog, "signatory"), &plain, out);
	put_line(eng_letterhead(prog, "role"), &plain, out);
}

/* A4 with the page's own margins when printed; on screen, each letter a sheet of paper. */
static const char css[] =
	"@page { size: A4; margin: 16mm 18mm; }\n"
	"body { font-family: Arial, Helvetica, sans-serif; font-size: 11pt; line-height: 1.35; color: #111; margin: 0; }\n"
	".letter { break-after: page; page-break-after: always; }\n"
	".letter:last-child { break-after: auto; page-break-after: auto; }\n"
	".head { display: flex; justify-content: space-between; align-items: flex-start; gap: 8mm;\n"
	"        border-bottom: 2px solid #1d4e89; padding-bottom: 4mm; margin-bottom: 7mm; }\n"
	".school { font-size: 18pt; font-weight: bold; color: #1d4e89; }\n"
	".contact { text-align: right; font-size: 9.5pt; white-space: pre-line; }\n"
	".to { white-space: pre-line; min-height: 26mm; }\n"
	".date { text-align: right; margin: 0 0 4mm; }\n"
	"h1 { font-size: 13pt; margin: 0 0 4mm; }\n"
	".body { white-space: pre-wrap; }\n"
	"table.figures { border-collapse: collapse; margin: 1mm 0 2mm; }\n"
	"table.figures th, table.figures td { border: 1px solid #9aa5b1; padding: 1mm 4mm; }\n"
	"table.figures th { text-align: left; font-weight: normal; background: #eef2f7; }\n"
	"table.figures td { text-align: right; font-weight: bold; }\n"
	".sign { margin-top: 12mm; white-space: pre-line; }\n"
	"@media screen {\n"
	"  body { background: #d5d8dc; }\n"
	"  .letter { background: #fff; width: 210mm; min-height: 297mm; box-sizing: border-box;\n"
	"            margin: 8mm auto; padding: 16mm 18mm; box-shadow: 0 1px 4px #888; }\n"
	"}\n";

void
eng_letter_html_begin(FILE *out, const char *title)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n<title>", out);
	base_html_text(out, title, strlen(title));
	fprintf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", css);
}

void
eng_letter_html_end(FILE *out)
{
	fputs("</body>\n</html>\n", out);
}

static void
html_head(const struct rt_program *prog, FILE *out)
{
	fputs("<header class=\"head\"><div class=\"school\">", out);
	const char *school = eng_letterhead(prog, "school");
	if (school)
		base_html_text(out, school, strlen(school));
	fputs("</div><div class=\"contact\">", out);
	const char *address = eng_letterhead(prog, "address");
	if (address)
		base_html_text(out, address, strlen(address));
	contact_line(prog, "email", "Email: ", contact_line(prog, "telephone", "Telephone: ", address != NULL, out), out);
	fputs("</div></header>\n", out);
}

void
eng_letter_html_section(const struct rt_program *prog, const struct rt_letter *l, const struct eng_letter_pupil *lp,
                        FILE *out)
{
	fputs("<section class=\"letter\">\n", out);
	html_head(prog, out);
	fputs("<div class=\"to\">", out);
	eng_letter_parents(lp, &html, out);
	fputc('\n', out);
	const char *address = eng_letter_address(lp);
	base_html_text(out, address, strlen(address));
	char date[64];
	rt_date_format_long(lp->as_of, date, sizeof date);
	fprintf(out, "</div>\n<p class=\"date\">%s</p>\n<h1>", date);
	const char *title = rt_program_str(prog, l->title);
	base_html_text(out, title, strlen(title));
	fputs("</h1>\n<div class=\"body\">", out);
	eng_letter_body(prog, l, lp, &html, out);
	fputs("</div>\n", out);
	if (eng_letterhead(prog, "signatory")) {
		fputs("<div class=\"sign\">", out);
		put_line(eng_letterhead(prog, "signatory"), &html, out);
		put_line(eng_letterhead(prog, "role"), &html, out);
		fputs("</div>\n", out);
	}
	fputs("</section>\n", out);
}

void
eng_letter_write_html(const struct rt_program *prog, const struct rt_letter *l, const struct eng_letter_pupil *lp,
                      FILE *out)
{
	eng_letter_html_begin(out, rt_program_str(prog, l->title));
	eng_letter_html_section(prog, l, lp, out);
	eng_letter_html_end(out);
}

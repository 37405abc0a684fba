/*
 * Policy tests: parsing test files, translating their compact marks, running
 * them through the VM and recording what they reached (policytest.h).
 */
#include "runtime/tools/policytest.h"
#include "runtime/base/text.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/machine/eval.h"
#include "runtime/machine/opcodes.h"
#include "runtime/engine/run.h"

/* A test register longer than this is a mistake (a typo in a repeat count). */
#define MAX_TEST_MARKS 100000

static void
report(struct base_findings *f, const char *file, unsigned line, unsigned column, enum base_finding_level level,
       const char *rule, const char *fmt, ...) __attribute__((format(printf, 7, 8)));

static void
report(struct base_findings *f, const char *file, unsigned line, unsigned column, enum base_finding_level level,
       const char *rule, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	base_findings_add(f, file, line, column, 0, level, rule, msg);
}

static char *
copy(const char *s, size_t n)
{
	char *p = malloc(n + 1);
	if (!p)
		abort();
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* ------------------------------------------------------------------------ */
/* Values                                                                    */

static int
word_is(const char *s, size_t len, const char *word)
{
	size_t n = strlen(word);
	return len >= n && strncmp(s, word, n) == 0 && (len == n || s[n] == ' ' || s[n] == '\t' || s[n] == '#');
}

size_t
tool_ptest_parse_value(const char *s, size_t len, struct rt_value *out)
{
	size_t i = 0;
	int money = 0, negative = 0;
	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i + 1 < len && (unsigned char)s[i] == 0xC2 && (unsigned char)s[i + 1] == 0xA3) { /* £ */
		money = 1;
		i += 2;
	}
	if (!money && i < len && s[i] == '-') {
		negative = 1;
		i++;
	}
	if (i >= len || s[i] < '0' || s[i] > '9')
		return 0;
	int64_t num = 0, den = 1;
	while (i < len && s[i] >= '0' && s[i] <= '9' && num < INT64_MAX / 100)
		num = num * 10 + (s[i++] - '0');
	if (i + 1 < len && s[i] == '.' && s[i + 1] >= '0' && s[i + 1] <= '9') {
		i++;
		while (i < len && s[i] >= '0' && s[i] <= '9' && den < 1000000 && num < INT64_MAX / 100) {
			num = num * 10 + (s[i++] - '0');
			den *= 10;
		}
	}
	if (negative)
		num = -num;
	if (money) {
		/* pence: £80.5 is 8050 */
		*out = (struct rt_value){ num * 100 / den, 1, RT_UNIT_MONEY };
		return i;
	}
	*out = (struct rt_value){ num, den, RT_UNIT_NONE };
	size_t j = i;
	while (j < len && (s[j] == ' ' || s[j] == '\t'))
		j++;
	static const struct {
		const char *word;
		enum rt_unit unit;
	} units[] = {
		{ "school weeks", RT_UNIT_SCHOOL_WEEKS }, { "school week", RT_UNIT_SCHOOL_WEEKS },
		{ "sessions", RT_UNIT_SESSIONS },         { "session", RT_UNIT_SESSIONS },
		{ "days", RT_UNIT_DAYS },                 { "day", RT_UNIT_DAYS },
		{ "weeks", RT_UNIT_WEEKS },               { "week", RT_UNIT_WEEKS },
		{ "years", RT_UNIT_YEARS },               { "year", RT_UNIT_YEARS },
	};
	if (j < len && s[j] == '%') {
		out->unit = RT_UNIT_PERCENT;
		return j + 1;
	}
	for (size_t u = 0; u < sizeof units / sizeof units[0]; u++)
		if (word_is(s + j, len - j, units[u].word)) {
			out->unit = (uint8_t)units[u].unit;
			return j + strlen(units[u].word);
		}
	return i;
}

/* ------------------------------------------------------------------------ */
/* Parsing                                                                   */

struct line {
	const char *file;
	const char *s;         /* the line, without its newline */
	size_t len;
	size_t pos;
	unsigned number;
	struct base_findings *errors;
	int failed;
	char text[512];        /* the last quoted text read, unescaped */
};

enum tok_kind { TOK_END, TOK_WORD, TOK_STRING };

struct token {
	enum tok_kind kind;
	const char *s;
	size_t len;
	unsigned column;
};

static void
syntax(struct line *ln, unsigned column, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
syntax(struct line *ln, unsigned column, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	base_findings_add(ln->errors, ln->file, ln->number, column, 0, BASE_FINDING_ERROR, "test-syntax", msg);
	ln->failed = 1;
}

static void
skip_blanks(struct line *ln)
{
	while (ln->pos < ln->len && (ln->s[ln->pos] == ' ' || ln->s[ln->pos] == '\t'))
		ln->pos++;
}

static struct token
next_token(struct line *ln)
{
	skip_blanks(ln);
	struct token t = { TOK_END, ln->s + ln->pos, 0, (unsigned)ln->pos + 1 };
	if (ln->pos >= ln->len || ln->s[ln->pos] == '#')
		return t;
	if (ln->s[ln->pos] == '"') {
		/* \" and \\ stand for a quote and a backslash, as in policies:
		 * "sessions coded \"L\", \"U\" this half term" */
		size_t n = 0;
		ln->pos++;
		while (ln->pos < ln->len && ln->s[ln->pos] != '"') {
			if (ln->s[ln->pos] == '\\' && ln->pos + 1 < ln->len)
				ln->pos++;
			if (n + 1 < sizeof ln->text)
				ln->text[n++] = ln->s[ln->pos];
			ln->pos++;
		}
		if (ln->pos >= ln->len) {
			syntax(ln, t.column, "this quoted text has no closing \"");
			t.kind = TOK_END;
			return t;
		}
		ln->text[n] = '\0';
		t.kind = TOK_STRING;
		t.s = ln->text;
		t.len = n;
		ln->pos++;
		return t;
	}
	size_t start = ln->pos;
	while (ln->pos < ln->len && ln->s[ln->pos] != ' ' && ln->s[ln->pos] != '\t' && ln->s[ln->pos] != '#')
		ln->pos++;
	t.kind = TOK_WORD;
	t.len = ln->pos - start;
	return t;
}

static int
tok_is(const struct token *t, const char *word)
{
	return t->kind == TOK_WORD && t->len == strlen(word) && strncmp(t->s, word, t->len) == 0;
}

/* Nothing but a comment may follow. */
static void
expect_end_of_line(struct line *ln)
{
	struct token t = next_token(ln);
	if (t.kind != TOK_END)
		syntax(ln, t.column, "unexpected \"%.*s\" at the end of the line", (int)t.len, t.s);
}

static int
parse_date_token(struct line *ln, const struct token *t, rt_date *out)
{
	if (t->kind != TOK_WORD || rt_date_parse(t->s, t->len, out)) {
		if (t->kind == TOK_END)
			syntax(ln, t->column, "a date (YYYY-MM-DD) is missing here");
		else
			syntax(ln, t->column, "\"%.*s\" is not a date (YYYY-MM-DD)", (int)t->len, t->s);
		return -1;
	}
	return 0;
}

static char *
resolve_path(const char *test_path, const char *rel, size_t len)
{
	if (len > 0 && rel[0] == '/')
		return copy(rel, len);
	const char *slash = strrchr(test_path, '/');
	size_t dirlen = slash ? (size_t)(slash - test_path) + 1 : 0;
	char *p = malloc(dirlen + len + 1);
	if (!p)
		abort();
	memcpy(p, test_path, dirlen);
	memcpy(p + dirlen, rel, len);
	p[dirlen + len] = '\0';
	return p;
}

static uint8_t
parse_op(const struct token *t)
{
	static const struct {
		const char *text;
		uint8_t op;
	} ops[] = { { "=", RT_OP_EQ }, { "!=", RT_OP_NE }, { "<", RT_OP_LT },
		    { "<=", RT_OP_LE }, { ">", RT_OP_GT }, { ">=", RT_OP_GE } };
	for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
		if (tok_is(t, ops[i].text))
			return ops[i].op;
	return 0;
}

static void
parse_expect(struct line *ln, struct tool_ptest_case *c, size_t *cap, unsigned column)
{
	struct tool_ptest_expect e = { .line = ln->number, .column = column };
	struct token t = next_token(ln);
	if (tok_is(&t, "no")) {
		e.negated = 1;
		t = next_token(ln);
	}
	if (tok_is(&t, "stage")) {
		e.kind = TOOL_PX_STAGE;
		if (e.negated) {
			e.negated = 0; /* "no stage" is "stage none" */
		} else {
			struct token n = next_token(ln);
			if (tok_is(&n, "none")) {
				e.stage = 0;
			} else {
				char *endp;
				char buf[16];
				snprintf(buf, sizeof buf, "%.*s", (int)(n.len < 15 ? n.len : 15), n.s);
				long v = strtol(buf, &endp, 10);
				if (n.kind != TOK_WORD || *endp || v < 1 || v > 65535) {
					syntax(ln, n.column, "expected a stage number or \"none\" after \"expect stage\"");
					return;
				}
				e.stage = (int)v;
			}
		}
	} else if (tok_is(&t, "flag")) {
		e.kind = TOOL_PX_FLAG;
		struct token n = next_token(ln);
		if (n.kind == TOK_END) {
			syntax(ln, n.column, "expected the flag's name (persistent_absence, ...)");
			return;
		}
		e.name = copy(n.s, n.len);
	} else if (tok_is(&t, "penalty")) {
		e.kind = TOOL_PX_PENALTY;
		struct token n = next_token(ln);
		if (!tok_is(&n, "notice")) {
			syntax(ln, n.column, "expected \"notice\" after \"penalty\"");
			return;
		}
		skip_blanks(ln);
		if (!e.negated && ln->pos < ln->len && ln->s[ln->pos] != '#') {
			unsigned vcol = (unsigned)ln->pos + 1;
			size_t used = tool_ptest_parse_value(ln->s + ln->pos, ln->len - ln->pos, &e.value);
			if (!used || e.value.unit != RT_UNIT_MONEY) {
				syntax(ln, vcol, "expected the amount of a first notice, such as £80");
				return;
			}
			e.has_value = 1;
			ln->pos += used;
		}
	} else if (tok_is(&t, "measure") && !e.negated) {
		e.kind = TOOL_PX_MEASURE;
		struct token n = next_token(ln);
		if (n.kind != TOK_STRING) {
			syntax(ln, n.column, "expected the measure's name in quotes, as `attend explain` shows it");
			return;
		}
		struct token o = next_token(ln);
		if (!(e.op = parse_op(&o))) {
			syntax(ln, o.column, "expected a comparison (=, !=, <, <=, >, >=)");
			return;
		}
		skip_blanks(ln);
		unsigned vcol = (unsigned)ln->pos + 1;
		size_t used = tool_ptest_parse_value(ln->s + ln->pos, ln->len - ln->pos, &e.value);
		if (!used) {
			syntax(ln, vcol, "expected a value such as 3 days, 10 sessions, 96.5%% or £80");
			return;
		}
		e.name = copy(n.s, n.len);
		e.has_value = 1;
		ln->pos += used;
	} else {
		syntax(ln, t.column, "expected stage, flag, penalty notice or measure after \"expect\"");
		return;
	}
	expect_end_of_line(ln);
	if (ln->failed) {
		free(e.name);
		return;
	}
	c->expects = rt_grow(c->expects, cap, c->nexpects + 1, sizeof *c->expects);
	c->expects[c->nexpects++] = e;
}

/* The marks text runs to the end of the line; '#' starts a comment except
 * inside brackets ("[#]" is the closure code). */
static void
parse_marks(struct line *ln, struct tool_ptest_case *c, size_t *cap)
{
	struct token from = next_token(ln);
	if (!tok_is(&from, "from")) {
		syntax(ln, from.column, "expected \"from DATE:\" after \"marks\"");
		return;
	}
	struct token d = next_token(ln);
	rt_date date;
	if (d.kind == TOK_WORD && d.len > 0 && d.s[d.len - 1] == ':') {
		d.len--;
		ln->pos--; /* leave the colon to be read below */
	}
	if (parse_date_token(ln, &d, &date))
		return;
	skip_blanks(ln);
	if (ln->pos >= ln->len || ln->s[ln->pos] != ':') {
		syntax(ln, (unsigned)ln->pos + 1, "expected \":\" after the date, then the marks");
		return;
	}
	ln->pos++;
	skip_blanks(ln);
	size_t start = ln->pos, end = ln->pos;
	int bracket = 0;
	for (; end < ln->len; end++) {
		char ch = ln->s[end];
		if (ch == '[')
			bracket = 1;
		else if (ch == ']')
			bracket = 0;
		else if (ch == '#' && !bracket)
			break;
	}
	c->marks = rt_grow(c->marks, cap, c->nmarks + 1, sizeof *c->marks);
	c->marks[c->nmarks++] = (struct tool_ptest_marks){ date, copy(ln->s + start, end - start), ln->number,
		                                         (unsigned)start + 1 };
}

/* `year group N1`: the pupil's year group, for a policy's pupil groups (N1, N2, R, 1 to 14). */
static void
parse_year_group(struct line *ln, struct tool_ptest_case *c, unsigned column)
{
	struct token g = next_token(ln);
	struct token y = next_token(ln);
	if (!tok_is(&g, "group") || y.kind != TOK_WORD || rt_year_parse(y.s, y.len, &c->year)) {
		syntax(ln, column, "expected \"year group\" and a year group: N1, N2, R or 1 to 14");
		return;
	}
	expect_end_of_line(ln);
}

static void
parse_history(struct line *ln, struct tool_ptest_case *c, size_t *cap, unsigned column)
{
	struct tool_ptest_history h = { .line = ln->number, .column = column };
	struct token t = next_token(ln);
	const char *until_word = "since";
	if (tok_is(&t, "stage")) {
		h.kind = TOOL_PX_STAGE;
		struct token n = next_token(ln);
		char buf[16], *endp;
		snprintf(buf, sizeof buf, "%.*s", (int)(n.len < 15 ? n.len : 15), n.s);
		long v = strtol(buf, &endp, 10);
		if (n.kind != TOK_WORD || *endp || v < 1 || v > 65535) {
			syntax(ln, n.column, "expected a stage number after \"history stage\"");
			return;
		}
		h.stage = (int)v;
	} else if (tok_is(&t, "flag")) {
		h.kind = TOOL_PX_FLAG;
		struct token n = next_token(ln);
		if (n.kind == TOK_END) {
			syntax(ln, n.column, "expected the flag's name");
			return;
		}
		h.name = copy(n.s, n.len);
	} else if (tok_is(&t, "penalty")) {
		h.kind = TOOL_PX_PENALTY;
		struct token n = next_token(ln), u = next_token(ln);
		if (!tok_is(&n, "notice") || !tok_is(&u, "counted")) {
			syntax(ln, n.column, "expected \"history penalty notice counted until DATE\"");
			return;
		}
		until_word = "until";
	} else {
		syntax(ln, t.column, "expected stage, flag or penalty notice after \"history\"");
		return;
	}
	struct token w = next_token(ln);
	if (!tok_is(&w, until_word)) {
		syntax(ln, w.column, "expected \"%s DATE\"", until_word);
		free(h.name);
		return;
	}
	struct token d = next_token(ln);
	if (parse_date_token(ln, &d, &h.date)) {
		free(h.name);
		return;
	}
	expect_end_of_line(ln);
	if (ln->failed) {
		free(h.name);
		return;
	}
	c->history = rt_grow(c->history, cap, c->nhistory + 1, sizeof *c->history);
	c->history[c->nhistory++] = h;
}

static void
free_case(struct tool_ptest_case *c)
{
	for (size_t i = 0; i < c->nhistory; i++)
		free(c->history[i].name);
	free(c->history);
	free(c->name);
	for (size_t i = 0; i < c->nmarks; i++)
		free(c->marks[i].text);
	free(c->marks);
	for (size_t i = 0; i < c->nexpects; i++)
		free(c->expects[i].name);
	free(c->expects);
}

int
tool_ptest_parse(const char *path, const char *text, size_t len, struct tool_ptest_file *out,
               struct base_findings *errors)
{
	memset(out, 0, sizeof *out);
	out->path = copy(path, strlen(path));
	size_t cap_cases = 0, cap_marks = 0, cap_expects = 0, cap_history = 0;
	struct tool_ptest_case cur;
	int in_test = 0, has_as_of = 0, failed = 0;
	unsigned number = 0;
	for (size_t pos = 0; pos < len;) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;
		struct line ln = { .file = path, .s = text + pos, .len = end - pos, .number = ++number, .errors = errors };
		if (ln.len > 0 && ln.s[ln.len - 1] == '\r')
			ln.len--;
		pos = nl ? end + 1 : len;

		struct token t = next_token(&ln);
		if (t.kind == TOK_END)
			continue;
		if (!in_test) {
			if (tok_is(&t, "policy") || tok_is(&t, "calendar")) {
				int is_policy = t.s[0] == 'p';
				struct token s = next_token(&ln);
				if (s.kind != TOK_STRING)
					syntax(&ln, s.column, "expected the file's path in quotes");
				else if ((is_policy ? out->policy : out->calendar) != NULL)
					syntax(&ln, t.column, "a second \"%s\" line (the first is on line %u)",
					       is_policy ? "policy" : "calendar",
					       is_policy ? out->policy_line : out->calendar_line);
				else if (is_policy) {
					out->policy = resolve_path(path, s.s, s.len);
					out->policy_line = ln.number;
				} else {
					out->calendar = resolve_path(path, s.s, s.len);
					out->calendar_line = ln.number;
				}
				expect_end_of_line(&ln);
			} else if (tok_is(&t, "test")) {
				struct token s = next_token(&ln);
				if (s.kind != TOK_STRING) {
					syntax(&ln, s.column, "expected the test's name in quotes");
				} else {
					memset(&cur, 0, sizeof cur);
					cur.name = copy(s.s, s.len);
					cur.line = ln.number;
					cur.year = RT_NO_YEAR;
					cap_marks = cap_expects = cap_history = 0;
					has_as_of = 0;
					in_test = 1;
					expect_end_of_line(&ln);
				}
			} else {
				syntax(&ln, t.column, "expected policy, calendar or test, not \"%.*s\"", (int)t.len, t.s);
			}
		} else if (tok_is(&t, "marks")) {
			parse_marks(&ln, &cur, &cap_marks);
		} else if (tok_is(&t, "as")) {
			struct token of = next_token(&ln);
			if (!tok_is(&of, "of")) {
				syntax(&ln, of.column, "expected \"as of DATE\"");
			} else {
				struct token d = next_token(&ln);
				if (parse_date_token(&ln, &d, &cur.as_of) == 0) {
					if (has_as_of)
						syntax(&ln, t.column, "a second \"as of\" in test \"%s\"", cur.name);
					has_as_of = 1;
					expect_end_of_line(&ln);
				}
			}
		} else if (tok_is(&t, "expect")) {
			parse_expect(&ln, &cur, &cap_expects, t.column);
		} else if (tok_is(&t, "history")) {
			parse_history(&ln, &cur, &cap_history, t.column);
		} else if (tok_is(&t, "year")) {
			parse_year_group(&ln, &cur, t.column);
		} else if (tok_is(&t, "end")) {
			expect_end_of_line(&ln);
			struct line at = { .file = path, .s = "", .number = cur.line, .errors = errors };
			if (!has_as_of)
				syntax(&at, 1, "test \"%s\" has no \"as of DATE\" line", cur.name);
			if (cur.nexpects == 0)
				syntax(&at, 1, "test \"%s\" expects nothing (add \"expect ...\" lines)", cur.name);
			if (at.failed) {
				failed = 1;
				free_case(&cur);
			} else {
				out->cases = rt_grow(out->cases, &cap_cases, out->ncases + 1, sizeof *out->cases);
				out->cases[out->ncases++] = cur;
			}
			in_test = 0;
		} else if (tok_is(&t, "test")) {
			syntax(&ln, t.column, "test \"%s\" (line %u) has no \"end\" before this test", cur.name, cur.line);
		} else {
			syntax(&ln, t.column, "expected marks, history, year group, as of, expect or end, not \"%.*s\"",
			       (int)t.len, t.s);
		}
		failed |= ln.failed;
	}
	if (in_test) {
		struct line at = { .file = path, .s = "", .number = cur.line, .errors = errors };
		syntax(&at, 1, "test \"%s\" has no \"end\"", cur.name);
		free_case(&cur);
		failed = 1;
	}
	struct line top = { .file = path, .s = "", .number = 1, .errors = errors };
	if (!out->policy)
		syntax(&top, 1, "no policy \"FILE\" line: say which policy the tests are for");
	if (!out->calendar)
		syntax(&top, 1, "no calendar \"FILE\" line: say which school calendar (CSV) the marks follow");
	return failed || top.failed ? -1 : 0;
}

int
tool_ptest_read(const char *path, struct tool_ptest_file *out, struct base_findings *errors)
{
	size_t len = 0;
	char *buf = base_read_file(path, 0, &len);
	if (!buf) {
		memset(out, 0, sizeof *out);
		report(errors, path, 0, 0, BASE_FINDING_ERROR, "io", "cannot read: %s", strerror(errno));
		return -1;
	}
	int rc = tool_ptest_parse(path, buf, len, out, errors);
	free(buf);
	return rc;
}

void
tool_ptest_free(struct tool_ptest_file *f)
{
	for (size_t i = 0; i < f->ncases; i++)
		free_case(&f->cases[i]);
	free(f->cases);
	free(f->path);
	free(f->policy);
	free(f->calendar);
	memset(f, 0, sizeof *f);
}

/* ------------------------------------------------------------------------ */
/* Marks                                                                     */

struct marks_out {
	uint8_t *codes;
	size_t n, cap;
};

static int
push_mark(struct marks_out *m, uint8_t code)
{
	if (m->n >= MAX_TEST_MARKS)
		return -1;
	m->codes = rt_grow(m->codes, &m->cap, m->n + 1, 1);
	m->codes[m->n++] = code;
	return 0;
}

/* Expands text[*i..] up to a ')' (when nested) or the end into marks. */
static int
expand_marks(const struct rt_program *prog, const char *file, const struct tool_ptest_marks *ml, size_t *i,
             int nested, struct marks_out *m, struct base_findings *errors)
{
	const char *s = ml->text;
	size_t len = strlen(s);
	while (*i < len) {
		char ch = s[*i];
		unsigned col = ml->column + (unsigned)*i;
		if (ch == ' ' || ch == '\t') {
			(*i)++;
		} else if (ch == ')') {
			if (nested)
				return 0;
			report(errors, file, ml->line, col, BASE_FINDING_ERROR, "test-marks", "this \")\" closes no \"(\"");
			return -1;
		} else if (ch == '(') {
			size_t group_start = m->n;
			(*i)++;
			if (expand_marks(prog, file, ml, i, 1, m, errors))
				return -1;
			if (*i >= len) {
				report(errors, file, ml->line, col, BASE_FINDING_ERROR, "test-marks", "this \"(\" is never closed");
				return -1;
			}
			(*i)++; /* ')' */
			if (*i >= len || s[*i] != '*' || *i + 1 >= len || s[*i + 1] < '0' || s[*i + 1] > '9') {
				report(errors, file, ml->line, ml->column + (unsigned)*i, BASE_FINDING_ERROR, "test-marks",
				       "a group in brackets needs a repeat count: (/\\)*5");
				return -1;
			}
			(*i)++;
			long count = 0;
			while (*i < len && s[*i] >= '0' && s[*i] <= '9' && count <= MAX_TEST_MARKS)
				count = count * 10 + (s[(*i)++] - '0');
			size_t group_len = m->n - group_start;
			for (long r = 1; r < count; r++)
				for (size_t k = 0; k < group_len; k++)
					if (push_mark(m, m->codes[group_start + k]))
						goto too_many;
			if (count == 0)
				m->n = group_start;
		} else if (ch == '.' || ch == '-') {
			if (push_mark(m, RT_NO_MARK))
				goto too_many;
			(*i)++;
		} else {
			char name[16];
			size_t nlen;
			if (ch == '[') {
				const char *close = memchr(s + *i, ']', len - *i);
				if (!close) {
					report(errors, file, ml->line, col, BASE_FINDING_ERROR, "test-marks",
					       "this \"[\" has no \"]\"");
					return -1;
				}
				nlen = (size_t)(close - (s + *i)) - 1;
				if (nlen == 0 || nlen >= sizeof name) {
					report(errors, file, ml->line, col, BASE_FINDING_ERROR, "test-marks",
					       "expected a code inside the brackets, such as [I01]");
					return -1;
				}
				memcpy(name, s + *i + 1, nlen);
				*i += nlen + 2;
			} else {
				name[0] = ch;
				nlen = 1;
				(*i)++;
			}
			name[nlen] = '\0';
			int code = rt_program_find_code(prog, name);
			if (code < 0) {
				report(errors, file, ml->line, col, BASE_FINDING_ERROR, "test-marks",
				       "unknown code \"%s\": the policy does not define it%s", name,
				       nlen == 1 && ch != '[' ? " (a code of several characters goes in brackets: [I01])" : "");
				return -1;
			}
			if (push_mark(m, (uint8_t)code))
				goto too_many;
		}
	}
	return 0;
too_many:
	report(errors, file, ml->line, ml->column, BASE_FINDING_ERROR, "test-marks", "more than %d marks on this line",
	       MAX_TEST_MARKS);
	return -1;
}

int
tool_ptest_marks_build(const struct rt_program *prog, const struct rt_calendar *cal, const char *file,
                     const struct tool_ptest_case *c, uint8_t *marks, struct base_findings *errors)
{
	memset(marks, RT_NO_MARK, cal->ndays * 2);
	int rc = 0;
	for (size_t l = 0; l < c->nmarks; l++) {
		const struct tool_ptest_marks *ml = &c->marks[l];
		struct marks_out m = { 0 };
		size_t i = 0;
		if (expand_marks(prog, file, ml, &i, 0, &m, errors)) {
			free(m.codes);
			rc = -1;
			continue;
		}
		long day = rt_calendar_find(cal, ml->from);
		if (day < 0) {
			char d[11];
			rt_date_format(ml->from, d);
			report(errors, file, ml->line, 0, BASE_FINDING_ERROR, "test-marks",
			       "%s is not a school day in the calendar: marks start on a school day", d);
			free(m.codes);
			rc = -1;
			continue;
		}
		size_t k = 0;
		for (size_t d = (size_t)day; d < cal->ndays && k < m.n; d++) {
			if (cal->days[d].open & RT_OPEN_AM && k < m.n)
				marks[2 * d + RT_AM] = m.codes[k++];
			if (cal->days[d].open & RT_OPEN_PM && k < m.n)
				marks[2 * d + RT_PM] = m.codes[k++];
		}
		if (k < m.n) {
			char d[11];
			rt_date_format(cal->days[cal->ndays - 1].date, d);
			report(errors, file, ml->line, ml->column, BASE_FINDING_ERROR, "test-marks",
			       "%zu of these marks fall after the calendar's last school day (%s)", m.n - k, d);
			rc = -1;
		}
		free(m.codes);
	}
	return rc;
}

/* ------------------------------------------------------------------------ */
/* Running                                                                   */

int
tool_ptest_coverage_init(struct tool_ptest_coverage *cov, const struct rt_program *prog)
{
	memset(cov, 0, sizeof *cov);
	cov->nrules = prog->nrules;
	cov->ncode = prog->ncode;
	cov->rule_held = calloc(prog->nrules + 1, 1);
	cov->rule_missed = calloc(prog->nrules + 1, 1);
	cov->cmp_met = calloc(prog->ncode + 1, 1);
	cov->cmp_unmet = calloc(prog->ncode + 1, 1);
	if (!cov->rule_held || !cov->rule_missed || !cov->cmp_met || !cov->cmp_unmet) {
		tool_ptest_coverage_free(cov);
		return -1;
	}
	return 0;
}

void
tool_ptest_coverage_free(struct tool_ptest_coverage *cov)
{
	free(cov->rule_held);
	free(cov->rule_missed);
	free(cov->cmp_met);
	free(cov->cmp_unmet);
	memset(cov, 0, sizeof *cov);
}

static const char *
rule_title(const struct rt_program *prog, const struct rt_rule *r)
{
	return rt_program_str(prog, r->title != RT_NO_STRING ? r->title : r->name);
}

static int
find_rule(const struct rt_program *prog, enum rt_rule_kind kind, const char *name)
{
	for (size_t i = 0; i < prog->nrules; i++)
		if (prog->rules[i].kind == kind && (!name || strcmp(rt_program_str(prog, prog->rules[i].name), name) == 0))
			return (int)i;
	return -1;
}

static int
find_measure(const struct rt_program *prog, const char *label)
{
	for (size_t i = 0; i < prog->nmeasures; i++)
		if (strcmp(rt_program_str(prog, prog->measures[i].label), label) == 0)
			return (int)i;
	return -1;
}

static int
compare_holds(uint8_t op, int cmp)
{
	switch (op) {
	case RT_OP_LT: return cmp < 0;
	case RT_OP_LE: return cmp <= 0;
	case RT_OP_GT: return cmp > 0;
	case RT_OP_GE: return cmp >= 0;
	case RT_OP_EQ: return cmp == 0;
	case RT_OP_NE: return cmp != 0;
	}
	return 0;
}

/* "= 96.72%" means equal to the precision written: the actual value is
 * rounded (half up) to the expected value's decimals, as reports print it.
 * Other comparisons are exact. */
static int
compare_as_written(const struct rt_value *actual, const struct rt_value *expected, uint8_t op)
{
	if ((op == RT_OP_EQ || op == RT_OP_NE) && actual->den > 0 && expected->den > 1) {
		int64_t scaled = actual->num * expected->den;
		int64_t q = scaled / actual->den, r = scaled % actual->den;
		if (r < 0) {
			q--;
			r += actual->den;
		}
		if (2 * r >= actual->den)
			q++;
		return q < expected->num ? -1 : q > expected->num;
	}
	return rt_value_compare(actual, expected);
}

static void
describe_stage(const struct rt_program *prog, const struct rt_eval *ev, char *buf, size_t size)
{
	if (ev->stage_rule < 0)
		snprintf(buf, size, "no stage");
	else
		snprintf(buf, size, "stage %d (\"%s\")", ev->stage, rule_title(prog, &prog->rules[ev->stage_rule]));
}

/* Checks one expectation; on failure writes what happened into `actual` and returns 0. */
static int
check_expect(const struct rt_program *prog, const struct rt_eval *ev, rt_date as_of, const struct tool_ptest_expect *e,
             char *expected, char *actual, size_t size, const char **rule_id)
{
	*rule_id = "test-failed";
	switch (e->kind) {
	case TOOL_PX_STAGE:
		if (e->stage == 0)
			snprintf(expected, size, "no stage");
		else
			snprintf(expected, size, "stage %d", e->stage);
		describe_stage(prog, ev, actual, size);
		return ev->stage == e->stage;
	case TOOL_PX_FLAG: {
		int r = find_rule(prog, RT_RULE_FLAG, e->name);
		snprintf(expected, size, "flag %s %s", e->name, e->negated ? "not to hold" : "to hold");
		if (r < 0) {
			*rule_id = "test-unknown-name";
			snprintf(actual, size, "the policy has no flag \"%s\"", e->name);
			return 0;
		}
		snprintf(actual, size, "it %s", ev->outcomes[r] ? "holds" : "does not hold");
		return ev->outcomes[r] != e->negated;
	}
	case TOOL_PX_PENALTY: {
		int r = find_rule(prog, RT_RULE_PENALTY, NULL);
		int holds = r >= 0 && ev->outcomes[r];
		const struct rt_fine *fine = rt_program_fine_in_force(prog, 1, as_of);
		char amount[32] = "";
		if (e->has_value) {
			rt_value_format(&e->value, amount, sizeof amount);
			snprintf(expected, size, "a penalty notice to consider, a first notice of %s", amount);
		} else {
			snprintf(expected, size, e->negated ? "no penalty notice" : "a penalty notice to consider");
		}
		if (!holds) {
			snprintf(actual, size, "no penalty notice to consider");
			return e->negated;
		}
		if (fine) {
			struct rt_value v = { fine->pence, 1, RT_UNIT_MONEY };
			rt_value_format(&v, amount, sizeof amount);
			snprintf(actual, size, "a penalty notice to consider, a first notice of %s", amount);
		} else {
			snprintf(actual, size, "a penalty notice to consider, with no amount in force");
		}
		if (e->negated)
			return 0;
		return !e->has_value || (fine && fine->pence == e->value.num);
	}
	case TOOL_PX_MEASURE: {
		char want[64];
		rt_value_format(&e->value, want, sizeof want);
		snprintf(expected, size, "\"%s\" %s %s", e->name, rt_opcode_symbol(e->op), want);
		int m = find_measure(prog, e->name);
		if (m < 0) {
			*rule_id = "test-unknown-name";
			snprintf(actual, size, "the policy has no measure \"%s\"", e->name);
			return 0;
		}
		const struct rt_value *v = &ev->measures[m];
		char got[64];
		rt_value_format(v, got, sizeof got);
		if (v->unit != e->value.unit) {
			*rule_id = "test-unit";
			snprintf(actual, size, "it is %s, measured in %s, not %s", got, rt_unit_name((enum rt_unit)v->unit),
			         rt_unit_name((enum rt_unit)e->value.unit));
			return 0;
		}
		snprintf(actual, size, "it is %s", got);
		return compare_holds(e->op, compare_as_written(v, &e->value, e->op));
	}
	}
	return 0;
}

static void
add_explanation(const struct rt_program *prog, const struct rt_eval *ev, const struct tool_ptest_file *f,
                const struct tool_ptest_case *c, rt_date counted_until, struct base_findings *out)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	if (!mem)
		return;
	struct reg_pupil pupil = { .upn = "in the test", .forename = c->name };
	struct eng_outcome o = { .pupil = &pupil, .ev = ev, .as_of = c->as_of, .counted_until = counted_until };
	int penalty = find_rule(prog, RT_RULE_PENALTY, NULL);
	o.penalty = penalty >= 0 && ev->outcomes[penalty];
	if (o.penalty)
		o.fine = rt_program_fine_in_force(prog, 1, c->as_of);
	eng_explain_pupil(prog, &o, mem);
	fclose(mem);
	while (len > 0 && text[len - 1] == '\n')
		text[--len] = '\0';
	base_findings_add(out, f->path, c->line, 0, 0, BASE_FINDING_NOTE, "explanation", text);
	free(text);
}

/* The test's "history" lines as the VM reads them. */
static int
build_history(const struct rt_program *prog, const char *file, const struct tool_ptest_case *c, rt_date *held_since,
              rt_date *counted_until, struct base_findings *out)
{
	int rc = 0;
	for (size_t r = 0; r < prog->nrules; r++)
		held_since[r] = RT_DATE_MAX;
	*counted_until = RT_DATE_MIN;
	for (size_t i = 0; i < c->nhistory; i++) {
		const struct tool_ptest_history *h = &c->history[i];
		int r = -1;
		if (h->kind == TOOL_PX_PENALTY) {
			*counted_until = h->date;
			continue;
		}
		if (h->kind == TOOL_PX_STAGE) {
			for (size_t k = 0; k < prog->nrules; k++)
				if (prog->rules[k].kind == RT_RULE_STAGE && prog->rules[k].stage == h->stage)
					r = (int)k;
		} else {
			r = find_rule(prog, RT_RULE_FLAG, h->name);
		}
		if (r < 0) {
			if (h->kind == TOOL_PX_STAGE)
				report(out, file, h->line, h->column, BASE_FINDING_ERROR, "test-unknown-name",
				       "the policy has no stage %d", h->stage);
			else
				report(out, file, h->line, h->column, BASE_FINDING_ERROR, "test-unknown-name",
				       "the policy has no flag \"%s\"", h->name);
			rc = -1;
			continue;
		}
		held_since[r] = h->date;
	}
	return rc;
}

static void
record_coverage(struct tool_ptest_coverage *cov, const struct rt_eval *ev)
{
	for (size_t r = 0; r < cov->nrules; r++) {
		if (ev->outcomes[r])
			cov->rule_held[r] = 1;
		else
			cov->rule_missed[r] = 1;
	}
	for (size_t t = 0; t < ev->ntrace; t++) {
		uint32_t pc = ev->trace[t].pc;
		if (pc < cov->ncode)
			(ev->trace[t].result ? cov->cmp_met : cov->cmp_unmet)[pc] = 1;
	}
}

/* One test: its marks and history, the evaluation, each expectation. An error
 * with ev->error set is the evaluation's own failure; without, the test's input. */
static enum tool_ptest_outcome
run_case(const struct tool_ptest_file *f, const struct tool_ptest_case *c, const struct rt_program *prog,
         const struct rt_calendar *cal, struct rt_eval *ev, uint8_t *marks, rt_date *held_since,
         struct tool_ptest_coverage *cov, struct base_findings *out)
{
	ev->error[0] = 0;
	ev->year = c->year;
	if (tool_ptest_marks_build(prog, cal, f->path, c, marks, out))
		return TOOL_PT_ERROR;
	struct rt_pupil_history history = { held_since, RT_DATE_MIN };
	if (build_history(prog, f->path, c, held_since, &history.counted_until, out))
		return TOOL_PT_ERROR;
	if (rt_eval_pupil_history(ev, marks, c->as_of, &history)) {
		report(out, f->path, c->line, 0, BASE_FINDING_ERROR, "evaluation", "test \"%s\": %s", c->name, ev->error);
		return TOOL_PT_ERROR;
	}
	if (cov)
		record_coverage(cov, ev);
	int failed = 0;
	for (size_t k = 0; k < c->nexpects; k++) {
		const struct tool_ptest_expect *e = &c->expects[k];
		char expected[512], actual[512];
		const char *rule_id;
		if (check_expect(prog, ev, c->as_of, e, expected, actual, sizeof expected, &rule_id))
			continue;
		report(out, f->path, e->line, e->column, BASE_FINDING_ERROR, rule_id, "test \"%s\": expected %s; actual: %s",
		       c->name, expected, actual);
		failed = 1;
	}
	if (failed)
		add_explanation(prog, ev, f, c, history.counted_until, out);
	return failed ? TOOL_PT_FAILED : TOOL_PT_PASSED;
}

static int
add_result(struct tool_ptest_totals *t, const struct tool_ptest_file *f, const struct tool_ptest_case *c,
           enum tool_ptest_outcome how, size_t first, size_t n)
{
	if (t->nresults == t->cap_results) {
		size_t cap = t->cap_results ? 2 * t->cap_results : 16;
		struct tool_ptest_result *r = realloc(t->results, cap * sizeof *r);
		if (!r)
			return -1;
		t->results = r;
		t->cap_results = cap;
	}
	char *file = strdup(f->path), *name = strdup(c->name);
	t->results[t->nresults++] = (struct tool_ptest_result){ file, name, c->line, how, first, n };
	return file && name ? 0 : -1;
}

void
tool_ptest_totals_free(struct tool_ptest_totals *t)
{
	for (size_t i = 0; i < t->nresults; i++) {
		free(t->results[i].file);
		free(t->results[i].name);
	}
	free(t->results);
	t->results = NULL;
	t->nresults = t->cap_results = 0;
}

int
tool_ptest_run(const struct tool_ptest_file *f, const struct rt_program *prog, const struct rt_calendar *cal,
             struct tool_ptest_coverage *cov, struct base_findings *out, struct tool_ptest_totals *totals)
{
	struct rt_eval ev;
	uint8_t *marks = malloc(cal->ndays * 2 + 1);
	rt_date *held_since = malloc((prog->nrules + 1) * sizeof *held_since);
	if (!marks || !held_since || rt_eval_init(&ev, prog, cal)) {
		free(marks);
		free(held_since);
		report(out, f->path, 0, 0, BASE_FINDING_ERROR, "internal", "out of memory");
		return -1;
	}
	ev.tracing = 1; /* for the explanation and the coverage */
	int rc = 0;
	for (size_t i = 0; i < f->ncases; i++) {
		const struct tool_ptest_case *c = &f->cases[i];
		if (totals->filter && fnmatch(totals->filter, c->name, 0) != 0) {
			totals->filtered_out++;
			continue;
		}
		size_t first = out->n;
		enum tool_ptest_outcome how = run_case(f, c, prog, cal, &ev, marks, held_since, cov, out);
		totals->tests++;
		totals->passed += how == TOOL_PT_PASSED;
		totals->failed += how != TOOL_PT_PASSED;
		totals->input_errors += how == TOOL_PT_ERROR && ev.error[0] == 0;
		rc |= how == TOOL_PT_ERROR && ev.error[0] ? -1 : 0;
		if (add_result(totals, f, c, how, first, out->n - first))
			rc = -1;
	}
	rt_eval_free(&ev);
	free(marks);
	free(held_since);
	return rc;
}

/* ------------------------------------------------------------------------ */
/* Coverage                                                                  */

static int
rule_in_baseline(const struct rt_program *prog, const struct rt_rule *r, const struct rt_program *baseline)
{
	if (!baseline)
		return 0;
	const char *name = rt_program_str(prog, r->name);
	for (size_t i = 0; i < baseline->nrules; i++) {
		const struct rt_rule *b = &baseline->rules[i];
		if (b->kind == r->kind && b->line == r->line && strcmp(rt_program_str(baseline, b->name), name) == 0)
			return 1;
	}
	return 0;
}

/* The rule whose condition instruction `pc` belongs to: the next RULE. */
static int
rule_of_pc(const struct rt_program *prog, size_t pc)
{
	for (size_t i = pc; i < prog->ncode; i++)
		if (prog->code[i].op == RT_OP_RULE)
			return (int)prog->code[i].operand;
	return -1;
}

static const char *
kind_word(const struct rt_rule *r)
{
	switch ((enum rt_rule_kind)r->kind) {
	case RT_RULE_FLAG: return "flag";
	case RT_RULE_STAGE: return "stage";
	case RT_RULE_PENALTY: return "penalty notice rule";
	}
	return "rule";
}

/* "consecutive days absent >= 3 days", from the instruction before the comparison. */
static void
describe_comparison(const struct rt_program *prog, size_t pc, char *buf, size_t size)
{
	const struct rt_instr *in = &prog->code[pc];
	char right[96] = "a value";
	if (pc > 0) {
		const struct rt_instr *prev = &prog->code[pc - 1];
		if (prev->op == RT_OP_CONST)
			rt_value_format(&prog->constants[prev->operand], right, sizeof right);
		else if (prev->op == RT_OP_SCHEDULE)
			snprintf(right, sizeof right, "%s", rt_program_str(prog, prog->schedules[prev->operand].name));
		else if (prev->op == RT_OP_MEASURE)
			snprintf(right, sizeof right, "%s", rt_program_str(prog, prog->measures[prev->operand].label));
		else if (prev->op == RT_OP_CHOOSE)
			snprintf(right, sizeof right, "the value in force (a let with dated values)");
	}
	snprintf(buf, size, "%s %s %s", rt_program_str(prog, in->operand), rt_opcode_symbol(in->op), right);
}

void
tool_ptest_coverage_count(const struct tool_ptest_coverage *cov, const struct rt_program *prog, size_t *covered,
                          size_t *total)
{
	*covered = *total = 0;
	for (size_t i = 0; i < prog->nrules && i < cov->nrules; i++) {
		++*total;
		*covered += cov->rule_held[i] != 0;
	}
	for (size_t pc = 0; pc < prog->ncode && pc < cov->ncode; pc++) {
		uint8_t op = prog->code[pc].op;
		if (op < RT_OP_LT || op > RT_OP_NE)
			continue;
		++*total;
		*covered += cov->cmp_met[pc] && cov->cmp_unmet[pc];
	}
}

void
tool_ptest_coverage_report(const struct tool_ptest_coverage *cov, const struct rt_program *prog,
                         const char *policy_path, const struct rt_program *baseline,
                         const char *baseline_path, struct base_findings *out)
{
	for (size_t i = 0; i < prog->nrules && i < cov->nrules; i++) {
		const struct rt_rule *r = &prog->rules[i];
		if (cov->rule_held[i])
			continue;
		const char *file = rule_in_baseline(prog, r, baseline) ? baseline_path : policy_path;
		if (r->kind == RT_RULE_STAGE)
			report(out, file, r->line, 0, BASE_FINDING_WARNING, "uncovered-rule",
			       "stage %u \"%s\" holds in no test", r->stage, rule_title(prog, r));
		else
			report(out, file, r->line, 0, BASE_FINDING_WARNING, "uncovered-rule", "%s \"%s\" holds in no test",
			       kind_word(r), rt_program_str(prog, r->name));
	}
	for (size_t pc = 0; pc < prog->ncode && pc < cov->ncode; pc++) {
		uint8_t op = prog->code[pc].op;
		if (op < RT_OP_LT || op > RT_OP_NE || (cov->cmp_met[pc] && cov->cmp_unmet[pc]))
			continue;
		int rule = rule_of_pc(prog, pc);
		const char *file = rule >= 0 && rule_in_baseline(prog, &prog->rules[rule], baseline) ? baseline_path
		                                                                                    : policy_path;
		char what[256];
		describe_comparison(prog, pc, what, sizeof what);
		const char *seen = !cov->cmp_met[pc] && !cov->cmp_unmet[pc] ? "is reached by no test"
		                   : cov->cmp_met[pc]                       ? "is met in every test that reaches it"
		                                                            : "is met in no test";
		report(out, file, prog->lines[pc], 0, BASE_FINDING_WARNING, "uncovered-comparison", "\"%s\" %s", what, seen);
	}
}

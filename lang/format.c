/*
 * attend fmt. The canonical layout (docs/lint.md):
 *   - top-level lines at column 1, lines inside a block (and continuation
 *     lines of a one-line declaration) indented by two spaces;
 *   - one space between tokens, none before ',' ')' ':' or after '(',
 *     "10 %" written "10%";
 *   - comments kept on their lines and as written; a trailing comment two
 *     spaces after the code (no alignment: aligning makes a one-line edit
 *     rewrite its neighbours, which is noise in version control);
 *   - at most one blank line in a row, none at the start or the end of the
 *     file, none just inside a block, and one after every top-level block
 *     (and before a block that follows code directly);
 *   - a """ text block re-indented with its line (the letter's text itself,
 *     which the compiler takes after removing the common indentation, does
 *     not change); any other text block is kept as written.
 * Every token is reprinted, so nothing the formatter does not know can be
 * lost; after formatting, the output is scanned again and must give the same
 * tokens and comments, or the formatter fails rather than write it.
 */
#include "format.h"

#include <stdlib.h>
#include <string.h>

#include "runtime/base/findings.h"
#include "runtime/base/memory.h"
#include "runtime/base/text.h"
#include "arena.h"
#include "diag.h"
#include "parse.h"

#define INDENT "  "

enum tok_kind { T_WORD, T_NUMBER, T_STRING, T_TEXT, T_PUNCT, T_OTHER };

struct tok {
	enum tok_kind kind;
	const char *p;
	size_t len;
};

/* A logical line: a physical line, or several when a text block spans them. */
struct lline {
	size_t first, ntok;      /* tokens [first, first + ntok) */
	const char *comment;     /* '#' to the end of the line, trailing blanks removed; or NULL */
	size_t comment_len;
	int line;                /* physical line it starts on */
	int depth;               /* 0 top level, 1 inside a block or a continuation */
	int head, block, end;    /* starts a declaration; that declaration is a block; is its `end` */
};

struct scan {
	struct tok *toks;
	size_t ntoks, cap_toks;
	struct lline *lines;
	size_t nlines, cap_lines;
};

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
is_word_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static size_t
digits(const char *t, size_t len, size_t i)
{
	while (i < len && is_digit(t[i]))
		i++;
	return i;
}

/* The end of a number token starting at i, mirroring lexer.l: a date
 * D-D-D, a time D:D, a decimal, with a '%' after optional blanks. */
static size_t
number_end(const char *t, size_t len, size_t i)
{
	size_t j = digits(t, len, i);
	if (j + 1 < len && t[j] == '-' && is_digit(t[j + 1])) {
		size_t k = digits(t, len, j + 1);
		if (k + 1 < len && t[k] == '-' && is_digit(t[k + 1]))
			return digits(t, len, k + 1);
	}
	if (j + 1 < len && t[j] == ':' && is_digit(t[j + 1]))
		return digits(t, len, j + 1);
	if (j + 1 < len && t[j] == '.' && is_digit(t[j + 1]))
		j = digits(t, len, j + 1);
	size_t k = j;
	while (k < len && (t[k] == ' ' || t[k] == '\t'))
		k++;
	return k < len && t[k] == '%' ? k + 1 : j;
}

/* The end of a year group starting at i (N1, R, Y15, 7), or i when there is none. */
static size_t
year_end(const char *t, size_t len, size_t i)
{
	if (i < len && t[i] == 'R' && (i + 1 == len || !(is_word_start(t[i + 1]) || is_digit(t[i + 1]))))
		return i + 1;
	if (i + 1 < len && (t[i] == 'N' || t[i] == 'Y') && is_digit(t[i + 1]))
		return digits(t, len, i + 1);
	return digits(t, len, i);
}

/* A range of year groups written without spaces (N1-R, 1-2) stays one token, not a subtraction. */
static size_t
year_range_end(const char *t, size_t len, size_t start, size_t j)
{
	if (year_end(t, len, start) != j || j + 1 >= len || t[j] != '-')
		return j;
	size_t k = year_end(t, len, j + 1);
	return k > j + 1 && (k == len || !(is_word_start(t[k]) || is_digit(t[k]))) ? k : j;
}

static void
push_line(struct scan *s, const struct lline *l)
{
	s->lines = rt_grow(s->lines, &s->cap_lines, s->nlines + 1, sizeof *s->lines);
	s->lines[s->nlines++] = *l;
}

static void
scan_text(const char *t, size_t len, struct scan *s)
{
	int line = 1;
	struct lline cur = { .line = 1 };
	size_t i = 0;
	while (i < len) {
		char c = t[i];
		if (c == '\n') {
			push_line(s, &cur);
			cur = (struct lline){ .first = s->ntoks, .line = ++line };
			i++;
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\r') {
			i++;
			continue;
		}
		if (c == '#') {
			size_t j = i;
			while (j < len && t[j] != '\n')
				j++;
			size_t e = j;
			while (e > i && (t[e - 1] == ' ' || t[e - 1] == '\t' || t[e - 1] == '\r'))
				e--;
			cur.comment = t + i;
			cur.comment_len = e - i;
			i = j;
			continue;
		}
		size_t j;
		enum tok_kind kind;
		if (len - i >= 3 && memcmp(t + i, "\"\"\"", 3) == 0) {
			const char *close = NULL;
			for (size_t k = i + 3; k + 3 <= len && !close; k++)
				if (memcmp(t + k, "\"\"\"", 3) == 0)
					close = t + k;
			j = close ? (size_t)(close - t) + 3 : len;
			for (size_t k = i; k < j; k++)
				if (t[k] == '\n')
					line++;
			kind = T_TEXT;
		} else if (c == '"') {
			j = i + 1;
			while (j < len && t[j] != '"' && t[j] != '\n')
				j++;
			if (j < len && t[j] == '"')
				j++;
			kind = T_STRING;
		} else if (is_digit(c)) {
			j = year_range_end(t, len, i, number_end(t, len, i));
			kind = T_NUMBER;
		} else if ((unsigned char)c == 0xC2 && i + 2 < len && (unsigned char)t[i + 1] == 0xA3 &&
		           is_digit(t[i + 2])) {
			j = digits(t, len, i + 2);
			if (j + 1 < len && t[j] == '.' && is_digit(t[j + 1]))
				j = digits(t, len, j + 1);
			kind = T_NUMBER;
		} else if (is_word_start(c)) {
			j = i + 1;
			while (j < len && (is_word_start(t[j]) || is_digit(t[j])))
				j++;
			j = year_range_end(t, len, i, j);
			kind = T_WORD;
		} else if (i + 1 < len && t[i + 1] == '=' && (c == '<' || c == '>' || c == '!')) {
			j = i + 2;
			kind = T_PUNCT;
		} else if (strchr("<>=(),:+-", c)) {
			j = i + 1;
			kind = T_PUNCT;
		} else {
			j = i + 1;
			while (j < len && ((unsigned char)t[j] & 0xC0) == 0x80)
				j++;
			kind = T_OTHER;
		}
		s->toks = rt_grow(s->toks, &s->cap_toks, s->ntoks + 1, sizeof *s->toks);
		s->toks[s->ntoks++] = (struct tok){ kind, t + i, j - i };
		cur.ntok++;
		i = j;
	}
	if (cur.ntok || cur.comment)
		push_line(s, &cur);
}

static void
scan_free(struct scan *s)
{
	free(s->toks);
	free(s->lines);
}

size_t
lang_comments(const char *text, size_t len, struct lang_comment **out)
{
	struct scan s = { 0 };
	scan_text(text, len, &s);
	size_t n = 0;
	*out = base_xrealloc(NULL, (s.nlines + 1) * sizeof **out);
	for (size_t i = 0; i < s.nlines; i++) {
		const struct lline *l = &s.lines[i];
		if (!l->comment)
			continue;
		/* The comment's line: after a text block, count the block's lines too. */
		int line = l->line;
		for (const char *p = l->ntok ? s.toks[l->first].p : l->comment; p < l->comment; p++)
			if (*p == '\n')
				line++;
		(*out)[n++] = (struct lang_comment){ line, l->ntok == 0, l->comment, l->comment_len };
	}
	scan_free(&s);
	return n;
}

static int
is_blank(const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
			return 0;
	return 1;
}

/* A """ block with its quotes alone at the ends of their lines: re-indented;
 * anything else as written. */
static void
put_text(FILE *out, const struct tok *tk, int depth)
{
	const char *in = tk->p + 3, *end = tk->p + tk->len - 3;
	const char *nl1 = tk->len >= 6 && memcmp(end, "\"\"\"", 3) == 0 ? memchr(in, '\n', (size_t)(end - in)) : NULL;
	const char *nl2 = end;
	while (nl1 && nl2 > in && nl2[-1] != '\n')
		nl2--;
	if (!nl1 || !is_blank(in, (size_t)(nl1 - in)) || !is_blank(nl2, (size_t)(end - nl2))) {
		fwrite(tk->p, 1, tk->len, out);
		return;
	}
	/* Lines nl1+1 .. nl2-1 (nl2 points past the last newline). */
	const char *body = nl1 + 1, *body_end = nl2 > body ? nl2 - 1 : body;
	size_t common = (size_t)-1;
	for (const char *l = body; l < body_end;) {
		const char *e = memchr(l, '\n', (size_t)(body_end - l));
		e = e ? e : body_end;
		if (!is_blank(l, (size_t)(e - l))) {
			size_t n = strspn(l, " \t");
			if (n < common)
				common = n;
		}
		l = e + 1;
	}
	fputs("\"\"\"\n", out);
	for (const char *l = body; l < body_end;) {
		const char *e = memchr(l, '\n', (size_t)(body_end - l));
		e = e ? e : body_end;
		if (!is_blank(l, (size_t)(e - l))) {
			for (int d = 0; d < depth; d++)
				fputs(INDENT, out);
			fwrite(l + common, 1, (size_t)(e - l) - common, out);
		}
		fputc('\n', out);
		l = e + 1;
	}
	for (int d = 0; d < depth; d++)
		fputs(INDENT, out);
	fputs("\"\"\"", out);
}

static void
put_token(FILE *out, const struct tok *tk, int depth)
{
	if (tk->kind == T_TEXT) {
		put_text(out, tk, depth);
	} else if (tk->kind == T_NUMBER) {
		for (size_t i = 0; i < tk->len; i++) /* "10 %" -> "10%" */
			if (tk->p[i] != ' ' && tk->p[i] != '\t')
				fputc(tk->p[i], out);
	} else {
		fwrite(tk->p, 1, tk->len, out);
	}
}

static int
tok_is(const struct tok *tk, const char *s)
{
	return tk->len == strlen(s) && memcmp(tk->p, s, tk->len) == 0;
}

static void
put_line(FILE *out, const struct scan *s, const struct lline *l)
{
	for (int d = 0; d < l->depth; d++)
		fputs(INDENT, out);
	for (size_t i = 0; i < l->ntok; i++) {
		const struct tok *tk = &s->toks[l->first + i];
		if (i > 0) {
			const struct tok *prev = tk - 1;
			int tight = tok_is(tk, ",") || tok_is(tk, ")") || tok_is(tk, ":") || tok_is(prev, "(");
			if (!tight)
				fputc(' ', out);
		}
		put_token(out, tk, l->depth);
	}
	if (l->comment) {
		if (l->ntok)
			fputs("  ", out);
		fwrite(l->comment, 1, l->comment_len, out);
	}
	fputc('\n', out);
}

static void
problem(struct base_findings *problems, const char *name, int line, const char *rule, const char *msg)
{
	if (problems)
		base_findings_add(problems, name, (unsigned)line, line ? 1 : 0, 0, BASE_FINDING_ERROR, rule, msg);
}

/* A condition wrapped inside brackets: its continuation lines go two levels deeper. */
static void
indent_wrapped(struct scan *s)
{
	int open = 0;
	for (size_t i = 0; i < s->nlines; i++) {
		struct lline *l = &s->lines[i];
		if (open > 0 && l->ntok)
			l->depth += 2;
		for (size_t k = 0; k < l->ntok; k++) {
			const struct tok *tk = &s->toks[l->first + k];
			if (tok_is(tk, "("))
				open++;
			else if (tok_is(tk, ")") && open > 0)
				open--;
		}
	}
}

/* Depths from the declarations the parser found. -1 on a layout not understood. */
static int
assign_depths(struct scan *s, const struct lang_decl *decls, const char *name, struct base_findings *problems)
{
	size_t nheads = 0, ndecls = 0;
	for (const struct lang_decl *d = decls; d; d = d->next) {
		ndecls++;
		for (size_t i = 0; i < s->nlines; i++)
			if (s->lines[i].ntok && s->lines[i].line == d->loc.first_line && !s->lines[i].head) {
				s->lines[i].head = 1;
				nheads++;
				break;
			}
	}
	if (nheads != ndecls) {
		problem(problems, name, 0, "fmt", "fmt cannot tell where each declaration starts (two on one line?)");
		return -1;
	}
	size_t i = 0;
	for (; i < s->nlines && !s->lines[i].head; i++) {
		if (s->lines[i].ntok) {
			problem(problems, name, s->lines[i].line, "fmt", "fmt does not know this line's declaration");
			return -1;
		}
	}
	while (i < s->nlines) {
		size_t h = i, next = h + 1;
		while (next < s->nlines && !s->lines[next].head)
			next++;
		size_t last = h;
		for (size_t k = h + 1; k < next; k++)
			if (s->lines[k].ntok)
				last = k;
		struct lline *e = &s->lines[last];
		int block = last != h && e->ntok == 1 && tok_is(&s->toks[e->first], "end");
		s->lines[h].block = block;
		for (size_t k = h + 1; k < next; k++)
			s->lines[k].depth = k < last || (k == last && !block);
		if (block)
			e->end = 1;
		i = next;
	}
	indent_wrapped(s);
	return 0;
}

static void
write_layout(FILE *out, const struct scan *s)
{
	enum { NONE, CODE, COMMENT, BLOCK_END } last = NONE;
	int pending_blank = 0, after_head = 0;
	for (size_t i = 0; i < s->nlines; i++) {
		const struct lline *l = &s->lines[i];
		if (!l->ntok && !l->comment) {
			pending_blank = last != NONE;
			continue;
		}
		int blank = pending_blank;
		if (last == BLOCK_END || (l->head && l->block && last == CODE))
			blank = 1;
		if (l->end || (after_head && l->depth == 1))
			blank = 0; /* no blank line just inside a block */
		if (blank)
			fputc('\n', out);
		put_line(out, s, l);
		pending_blank = 0;
		after_head = l->head && l->block;
		last = l->end ? BLOCK_END : l->ntok ? CODE : COMMENT;
	}
}

/* The same tokens and comments, in the same order: nothing added, lost or changed. */
static int
same_tokens(const struct scan *a, const struct scan *b)
{
	if (a->ntoks != b->ntoks)
		return 0;
	for (size_t i = 0; i < a->ntoks; i++) {
		const struct tok *x = &a->toks[i], *y = &b->toks[i];
		if (x->kind != y->kind)
			return 0;
		char *px = NULL, *py = NULL;
		size_t lx = 0, ly = 0;
		FILE *fx = open_memstream(&px, &lx), *fy = open_memstream(&py, &ly);
		if (!fx || !fy)
			base_out_of_memory();
		put_token(fx, x, 0);
		put_token(fy, y, 0);
		fclose(fx);
		fclose(fy);
		int same = lx == ly && memcmp(px, py, lx) == 0;
		free(px);
		free(py);
		if (!same)
			return 0;
	}
	size_t j = 0;
	for (size_t i = 0; i < a->nlines; i++) {
		if (!a->lines[i].comment)
			continue;
		while (j < b->nlines && !b->lines[j].comment)
			j++;
		if (j == b->nlines || a->lines[i].comment_len != b->lines[j].comment_len ||
		    memcmp(a->lines[i].comment, b->lines[j].comment, a->lines[i].comment_len) != 0)
			return 0;
		j++;
	}
	while (j < b->nlines && !b->lines[j].comment)
		j++;
	return j == b->nlines;
}

static int
parse_decls(struct lang_arena *arena, const char *name, const char *text, size_t len, struct lang_decl **decls,
            struct base_findings *problems)
{
	struct lang_diags diags;
	lang_diags_init(&diags, 0);
	struct lang_source *src = lang_arena_alloc(arena, sizeof *src);
	*src = (struct lang_source){ name, text, len };
	struct lang_parse ps = { .arena = arena, .diags = &diags, .src = src, .mode = LANG_PARSE_FILE };
	int errors = lang_parse_run(&ps);
	if (errors && problems)
		lang_diags_to_findings(&diags, problems);
	lang_diags_free(&diags);
	*decls = ps.decls;
	return errors;
}

int
lang_format(const char *name, const char *text, size_t len, char **out, size_t *out_len,
            struct base_findings *problems)
{
	*out = NULL;
	*out_len = 0;
	struct lang_arena *arena = lang_arena_new();
	struct lang_decl *decls = NULL;
	struct scan s = { 0 }, again = { 0 };
	int rc = -1;
	if (memchr(text, '\0', len)) {
		problem(problems, name, 0, "lexical", "the file holds a NUL byte: it is not a policy text");
		goto done;
	}
	if (parse_decls(arena, name, text, len, &decls, problems) != 0)
		goto done;
	scan_text(text, len, &s);
	if (assign_depths(&s, decls, name, problems) != 0)
		goto done;
	char *buf = NULL;
	size_t blen = 0;
	FILE *f = open_memstream(&buf, &blen);
	if (!f)
		base_out_of_memory();
	write_layout(f, &s);
	fclose(f);
	/* The safety net: the output must parse and hold exactly the same tokens. */
	scan_text(buf, blen, &again);
	struct lang_decl *redecls = NULL;
	size_t n1 = 0, n2 = 0;
	for (const struct lang_decl *d = decls; d; d = d->next)
		n1++;
	int reparse = parse_decls(arena, name, buf, blen, &redecls, NULL);
	for (const struct lang_decl *d = redecls; d; d = d->next)
		n2++;
	if (reparse != 0 || n1 != n2 || !same_tokens(&s, &again)) {
		problem(problems, name, 0, "fmt", "internal error: the formatted text would differ from the policy; "
		        "the file is left as it is (please report this)");
		free(buf);
		goto done;
	}
	*out = buf;
	*out_len = blen;
	rc = 0;
done:
	scan_free(&s);
	scan_free(&again);
	lang_arena_free(arena);
	return rc;
}

/* ---- a line diff for fmt --check ---- */

struct text_lines {
	const char **p;
	size_t *len;    /* with the newline, when there is one */
	size_t n;
};

static void
split_lines(const char *t, size_t len, struct text_lines *out)
{
	size_t cap = 0;
	out->p = NULL;
	out->len = NULL;
	out->n = 0;
	for (size_t i = 0; i < len;) {
		const char *nl = memchr(t + i, '\n', len - i);
		size_t e = nl ? (size_t)(nl - t) + 1 : len;
		size_t c2 = cap;
		out->p = rt_grow(out->p, &cap, out->n + 1, sizeof *out->p);
		out->len = rt_grow(out->len, &c2, out->n + 1, sizeof *out->len);
		out->p[out->n] = t + i;
		out->len[out->n++] = e - i;
		i = e;
	}
}

static int
line_eq(const struct text_lines *a, size_t i, const struct text_lines *b, size_t j)
{
	return a->len[i] == b->len[j] && memcmp(a->p[i], b->p[j], a->len[i]) == 0;
}

enum { OP_EQ, OP_DEL, OP_INS };

static void
put_diff_line(FILE *out, char mark, const char *p, size_t len)
{
	fputc(mark, out);
	fwrite(p, 1, len, out);
	if (len == 0 || p[len - 1] != '\n')
		fputs("\n\\ No newline at end of file\n", out);
}

/* The first line (1-based) where two texts differ. */
static unsigned
first_different_line(const char *a, size_t alen, const char *b, size_t blen)
{
	unsigned line = 1;
	for (size_t i = 0; i < alen && i < blen && a[i] == b[i]; i++)
		line += a[i] == '\n';
	return line;
}

void
lang_format_finding(const char *name, const char *text, size_t len, const char *formatted, size_t formatted_len,
                    struct base_findings *findings)
{
	unsigned line = first_different_line(text, len, formatted, formatted_len);
	char msg[512];
	size_t n;
	const char *want = base_text_line(formatted, formatted_len, line, &n);
	if (want && n)
		snprintf(msg, sizeof msg, "not in the canonical layout (attend fmt -w fixes it): line %u should read "
		         "\"%.*s\"", line, (int)(n < 200 ? n : 200), want);
	else
		snprintf(msg, sizeof msg, "not in the canonical layout (attend fmt -w fixes it): line %u should be %s",
		         line, want ? "blank" : "the end of the file");
	base_findings_add(findings, name, line, 0, 0, BASE_FINDING_ERROR, "not-formatted", msg);
}

size_t
lang_diff(const char *a_name, const char *a, size_t alen, const char *b_name, const char *b, size_t blen, FILE *out)
{
	struct text_lines A, B;
	split_lines(a, alen, &A);
	split_lines(b, blen, &B);
	/* Common prefix and suffix first: the LCS table covers only the middle. */
	size_t pre = 0;
	while (pre < A.n && pre < B.n && line_eq(&A, pre, &B, pre))
		pre++;
	size_t suf = 0;
	while (suf < A.n - pre && suf < B.n - pre && line_eq(&A, A.n - 1 - suf, &B, B.n - 1 - suf))
		suf++;
	size_t n = A.n - pre - suf, m = B.n - pre - suf;
	size_t cap_ops = 0, nops = 0;
	unsigned char *ops = NULL;
	ops = rt_grow(ops, &cap_ops, A.n + B.n + 1, 1);
	for (size_t i = 0; i < pre; i++)
		ops[nops++] = OP_EQ;
	if (n && m && n * m <= 16u * 1024 * 1024) {
		/* lcs[i][j]: the LCS of the middles' suffixes from i and j. */
		unsigned *lcs = base_xcalloc((n + 1) * (m + 1), sizeof *lcs);
		for (size_t i = n; i-- > 0;)
			for (size_t j = m; j-- > 0;)
				lcs[i * (m + 1) + j] = line_eq(&A, pre + i, &B, pre + j)
				                       ? lcs[(i + 1) * (m + 1) + j + 1] + 1
				                       : (lcs[(i + 1) * (m + 1) + j] > lcs[i * (m + 1) + j + 1]
				                          ? lcs[(i + 1) * (m + 1) + j] : lcs[i * (m + 1) + j + 1]);
		size_t i = 0, j = 0;
		while (i < n || j < m) {
			if (i < n && j < m && line_eq(&A, pre + i, &B, pre + j)) {
				ops[nops++] = OP_EQ;
				i++, j++;
			} else if (i < n && (j == m || lcs[(i + 1) * (m + 1) + j] >= lcs[i * (m + 1) + j + 1])) {
				ops[nops++] = OP_DEL; /* deletions before insertions, as diff -u prints them */
				i++;
			} else {
				ops[nops++] = OP_INS;
				j++;
			}
		}
		free(lcs);
	} else {
		for (size_t i = 0; i < n; i++)
			ops[nops++] = OP_DEL;
		for (size_t j = 0; j < m; j++)
			ops[nops++] = OP_INS;
	}
	for (size_t i = 0; i < suf; i++)
		ops[nops++] = OP_EQ;

	size_t changed = 0;
	for (size_t k = 0; k < nops; k++)
		changed += ops[k] != OP_EQ;
	if (changed) {
		fprintf(out, "--- %s\n+++ %s\n", a_name, b_name);
		enum { CONTEXT = 3 };
		size_t k = 0, ai = 0, bi = 0;
		while (k < nops) {
			if (ops[k] == OP_EQ) {
				k++, ai++, bi++;
				continue;
			}
			/* A hunk: back up CONTEXT lines, run until CONTEXT*2 equal lines in a row. */
			size_t back = 0;
			while (back < CONTEXT && back < k && ops[k - back - 1] == OP_EQ)
				back++;
			size_t start = k - back, end = k;
			for (;;) {
				while (end < nops && ops[end] != OP_EQ)
					end++;
				size_t look = end;
				while (look < nops && ops[look] == OP_EQ)
					look++;
				if (look == nops || look - end > 2 * CONTEXT) {
					end += look - end < CONTEXT ? look - end : CONTEXT;
					break;
				}
				end = look; /* a short run of equal lines: the next change joins this hunk */
			}
			size_t a0 = ai - back, b0 = bi - back, ac = 0, bc = 0;
			for (size_t x = start; x < end; x++) {
				ac += ops[x] != OP_INS;
				bc += ops[x] != OP_DEL;
			}
			fprintf(out, "@@ -%zu,%zu +%zu,%zu @@\n", ac ? a0 + 1 : a0, ac, bc ? b0 + 1 : b0, bc);
			size_t x = a0, y = b0;
			for (size_t o = start; o < end; o++) {
				if (ops[o] == OP_EQ) {
					put_diff_line(out, ' ', A.p[x], A.len[x]);
					x++, y++;
				} else if (ops[o] == OP_DEL) {
					put_diff_line(out, '-', A.p[x], A.len[x]);
					x++;
				} else {
					put_diff_line(out, '+', B.p[y], B.len[y]);
					y++;
				}
			}
			ai = x;
			bi = y;
			k = end;
		}
	}
	free(ops);
	free(A.p);
	free(A.len);
	free(B.p);
	free(B.len);
	return changed;
}

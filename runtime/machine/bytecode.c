/*
 * The .apc file format (docs/bytecode.md): magic, version, flags, then one
 * section per table in a fixed order, each a u32 tag, a u32 byte length and
 * its payload, ending with an empty END section. Everything little-endian,
 * written and read field by field. Decoding bounds-checks every read and
 * runs the verifier before handing the program out.
 */
#include "runtime/machine/bytecode.h"
#include "runtime/base/output.h"
#include "runtime/base/text.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define MAGIC_LEN 8
#define MAX_SECTION (64u << 20) /* no table needs more; guards allocations */

enum section {
	SEC_STRINGS = 1, SEC_CONSTANTS, SEC_CODES, SEC_CODESETS, SEC_MEASURES, SEC_SCHEDULES, SEC_RULES,
	SEC_ACTIONS, SEC_LETTERS, SEC_FINES, SEC_PENALTY, SEC_REGISTER, SEC_ARRIVALS, SEC_FACTS, SEC_CODE,
	SEC_LINES, SEC_SOURCE, SEC_RANGES,
	SEC_GROUPS, SEC_GROUP_ARRIVALS, /* 2.3, only when the policy has register times per group */
	SEC_CAP_DATES,                  /* 2.4, only when the limit on notices is dated */
	SEC_END = 0x444e45 /* "END" */
};

static const char *const section_names[] = {
	[SEC_STRINGS] = "strings", [SEC_CONSTANTS] = "constants", [SEC_CODES] = "codes",
	[SEC_CODESETS] = "codesets", [SEC_MEASURES] = "measures", [SEC_SCHEDULES] = "schedules",
	[SEC_RULES] = "rules", [SEC_ACTIONS] = "actions", [SEC_LETTERS] = "letters", [SEC_FINES] = "fines",
	[SEC_PENALTY] = "penalty", [SEC_REGISTER] = "register", [SEC_ARRIVALS] = "arrivals",
	[SEC_FACTS] = "facts", [SEC_CODE] = "code", [SEC_LINES] = "line table", [SEC_SOURCE] = "source file",
	[SEC_RANGES] = "date ranges", [SEC_GROUPS] = "group sessions", [SEC_GROUP_ARRIVALS] = "group arrival rules",
	[SEC_CAP_DATES] = "dates of the limit on notices",
};

/* Fixed record sizes in bytes, as written below. */
enum {
	CONSTANT_SIZE = 8 + 8 + 1,
	CODE_SIZE = 4 + 4 + 1 + 1 + 1 + 4 + 4 + 4 + 4 + 4,
	CODESET_SIZE = 4 * 8,
	MEASURE_SIZE = 1 + 1 + 2 + 4 + 4 + 4 + 1,
	SCHEDULE_SIZE = 4 + 1 + 1 + RT_MAX_HALF_TERMS * 8 + 4,
	RULE_SIZE = 4 + 4 + 1 + 2 + 4 + 4 + 4 + 4 + 4 + 4 + 4,
	ACTION_SIZE = 4 + 4,
	LETTER_SIZE = 5 * 4,
	FINE_SIZE = 4 + 4 + 1 + 8 + 2 + 8 + 2 + 4 + 4 + 4,
	PENALTY_SIZE = 1 + 1 + 1 + 2 + 4 + 4 + 4,
	REGISTER_SIZE = 2 * (2 + 2 + 4 + 4),
	ARRIVAL_SIZE = 1 + 2 + 1 + 4 + 4 + 4,
	GROUP_SIZE = 1 + 1 + 1 + 2 + 2 + 4 + 4,
	GROUP_ARRIVAL_SIZE = ARRIVAL_SIZE + 4,
	FACT_SIZE = 4 + 4 + 8 + 8 + 1 + 4 + 4 + 4,
	RANGE_SIZE = 4 + 4,
	INSTR_SIZE = 1 + 4,
};

/* ---- writing ---- */

struct writer {
	uint8_t *buf;
	size_t len, cap;
	int failed;           /* out of memory */
};

static void
put_bytes(struct writer *w, const void *data, size_t n)
{
	if (w->failed)
		return;
	if (w->len + n > w->cap) {
		size_t ncap = w->cap ? w->cap : 1024;
		while (ncap < w->len + n)
			ncap *= 2;
		uint8_t *nb = realloc(w->buf, ncap);
		if (!nb) {
			w->failed = 1;
			return;
		}
		w->buf = nb;
		w->cap = ncap;
	}
	memcpy(w->buf + w->len, data, n);
	w->len += n;
}

static void
put_uint(struct writer *w, uint64_t v, int bytes)
{
	uint8_t b[8];
	for (int i = 0; i < bytes; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	put_bytes(w, b, (size_t)bytes);
}

static void put_u8(struct writer *w, uint8_t v) { put_uint(w, v, 1); }
static void put_u16(struct writer *w, uint16_t v) { put_uint(w, v, 2); }
static void put_u32(struct writer *w, uint32_t v) { put_uint(w, v, 4); }
static void put_i64(struct writer *w, int64_t v) { put_uint(w, (uint64_t)v, 8); }

/* Starts a section; returns where its length goes, patched by end_section. */
static size_t
begin_section(struct writer *w, uint32_t tag)
{
	put_u32(w, tag);
	size_t at = w->len;
	put_u32(w, 0);
	return at;
}

static void
end_section(struct writer *w, size_t at)
{
	if (w->failed)
		return;
	uint32_t n = (uint32_t)(w->len - at - 4);
	for (int i = 0; i < 4; i++)
		w->buf[at + (size_t)i] = (uint8_t)(n >> (8 * i));
}

static void
put_value(struct writer *w, const struct rt_value *v)
{
	put_i64(w, v->num);
	put_i64(w, v->den);
	put_u8(w, v->unit);
}

static void
write_tables(struct writer *w, const struct rt_program *p)
{
	size_t at = begin_section(w, SEC_STRINGS);
	put_u32(w, (uint32_t)p->nstrings);
	for (size_t i = 0; i < p->nstrings; i++) {
		size_t n = strlen(p->strings[i]);
		put_u32(w, (uint32_t)n);
		put_bytes(w, p->strings[i], n + 1); /* with its NUL, checked on reading */
	}
	end_section(w, at);

	at = begin_section(w, SEC_CONSTANTS);
	put_u32(w, (uint32_t)p->nconstants);
	for (size_t i = 0; i < p->nconstants; i++)
		put_value(w, &p->constants[i]);
	end_section(w, at);

	at = begin_section(w, SEC_CODES);
	put_u32(w, (uint32_t)p->ncodes);
	for (size_t i = 0; i < p->ncodes; i++) {
		const struct rt_code *c = &p->codes[i];
		put_u32(w, c->name);
		put_u32(w, c->meaning);
		put_u8(w, c->category);
		put_u8(w, c->flags);
		put_u8(w, c->maps_to);
		put_u32(w, (uint32_t)c->valid_from);
		put_u32(w, (uint32_t)c->valid_until);
		put_u32(w, c->source);
		put_u32(w, c->line);
		put_u32(w, c->file);
	}
	end_section(w, at);

	at = begin_section(w, SEC_CODESETS);
	put_u32(w, (uint32_t)p->ncodesets);
	for (size_t i = 0; i < p->ncodesets; i++)
		for (int b = 0; b < 4; b++)
			put_i64(w, (int64_t)p->codesets[i].bits[b]);
	end_section(w, at);

	at = begin_section(w, SEC_MEASURES);
	put_u32(w, (uint32_t)p->nmeasures);
	for (size_t i = 0; i < p->nmeasures; i++) {
		const struct rt_measure *m = &p->measures[i];
		put_u8(w, m->kind);
		put_u8(w, m->period);
		put_u16(w, m->weeks);
		put_u32(w, m->codeset);
		put_u32(w, m->label);
		put_u32(w, m->rule);
		put_u8(w, m->flags);
	}
	end_section(w, at);

	at = begin_section(w, SEC_SCHEDULES);
	put_u32(w, (uint32_t)p->nschedules);
	for (size_t i = 0; i < p->nschedules; i++) {
		const struct rt_schedule *s = &p->schedules[i];
		put_u32(w, s->name);
		put_u8(w, s->unit);
		put_u8(w, s->present);
		for (int h = 0; h < RT_MAX_HALF_TERMS; h++)
			put_i64(w, s->num[h]);
		put_u32(w, s->line);
	}
	end_section(w, at);

	at = begin_section(w, SEC_RULES);
	put_u32(w, (uint32_t)p->nrules);
	for (size_t i = 0; i < p->nrules; i++) {
		const struct rt_rule *r = &p->rules[i];
		put_u32(w, r->name);
		put_u32(w, r->title);
		put_u8(w, r->kind);
		put_u16(w, r->stage);
		put_u32(w, r->first_action);
		put_u32(w, r->action_count);
		put_u32(w, r->letter);
		put_u32(w, r->source);
		put_u32(w, r->line);
		put_u32(w, r->file);
		put_u32(w, r->in_force);
	}
	end_section(w, at);

	at = begin_section(w, SEC_ACTIONS);
	put_u32(w, (uint32_t)p->nactions);
	for (size_t i = 0; i < p->nactions; i++) {
		put_u32(w, p->actions[i].text);
		put_u32(w, p->actions[i].owner);
	}
	end_section(w, at);

	at = begin_section(w, SEC_LETTERS);
	put_u32(w, (uint32_t)p->nletters);
	for (size_t i = 0; i < p->nletters; i++) {
		const struct rt_letter *l = &p->letters[i];
		put_u32(w, l->name);
		put_u32(w, l->title);
		put_u32(w, l->body);
		put_u32(w, l->source);
		put_u32(w, l->line);
	}
	end_section(w, at);

	at = begin_section(w, SEC_FINES);
	put_u32(w, (uint32_t)p->nfines);
	for (size_t i = 0; i < p->nfines; i++) {
		const struct rt_fine *f = &p->fines[i];
		put_u32(w, (uint32_t)f->from);
		put_u32(w, (uint32_t)f->until);
		put_u8(w, f->notice);
		put_i64(w, f->pence);
		put_u16(w, f->days);
		put_i64(w, f->later_pence);
		put_u16(w, f->later_days);
		put_u32(w, f->source);
		put_u32(w, f->line);
		put_u32(w, f->file);
	}
	end_section(w, at);
}

uint32_t
rt_bytecode_checksum(const uint8_t *buf, size_t len)
{
	uint32_t crc = 0xffffffffu;
	for (size_t i = 0; i < len; i++) {
		crc ^= buf[i];
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
	}
	return ~crc;
}

/* The school-wide arrival rules (`groups` 0), or the groups' with their group. */
static void
put_arrivals(struct writer *w, const struct rt_program *p, int groups)
{
	uint32_t n = 0;
	for (size_t i = 0; i < p->narrivals; i++)
		n += (p->arrivals[i].group != 0) == groups;
	put_u32(w, n);
	for (size_t i = 0; i < p->narrivals; i++) {
		const struct rt_arrival_rule *a = &p->arrivals[i];
		if ((a->group != 0) != groups)
			continue;
		put_u8(w, a->session);
		put_u16(w, (uint16_t)a->after);
		put_u8(w, a->code);
		put_u32(w, a->source);
		put_u32(w, a->line);
		put_u32(w, a->file);
		if (groups)
			put_u32(w, a->group);
	}
}

/* Register times per group (2.3): written only when there are some, so a policy
 * without them is the file 2.2 wrote. */
static void
write_groups(struct writer *w, const struct rt_program *p)
{
	if (!p->ngroups)
		return;
	size_t at = begin_section(w, SEC_GROUPS);
	put_u32(w, (uint32_t)p->ngroups);
	for (size_t i = 0; i < p->ngroups; i++) {
		const struct rt_group_session *g = &p->groups[i];
		put_u8(w, g->session);
		put_u8(w, (uint8_t)g->from);
		put_u8(w, (uint8_t)g->until);
		put_u16(w, (uint16_t)g->opens);
		put_u16(w, (uint16_t)g->closes);
		put_u32(w, g->line);
		put_u32(w, g->file);
	}
	end_section(w, at);
	at = begin_section(w, SEC_GROUP_ARRIVALS);
	put_arrivals(w, p, 1);
	end_section(w, at);
}

static void
write_rest(struct writer *w, const struct rt_program *p)
{
	size_t at = begin_section(w, SEC_PENALTY);
	put_u8(w, p->penalty.defined);
	put_u8(w, p->penalty.max_notices);
	put_u8(w, p->penalty.cap_years);
	put_u16(w, p->penalty.unpaid_days);
	put_u32(w, p->penalty.alternative);
	put_u32(w, p->penalty.unpaid_action);
	put_u32(w, p->penalty.source);
	end_section(w, at);

	at = begin_section(w, SEC_REGISTER);
	for (int s = 0; s < 2; s++) {
		put_u16(w, (uint16_t)p->sessions[s].opens);
		put_u16(w, (uint16_t)p->sessions[s].closes);
		put_u32(w, p->sessions[s].line);
		put_u32(w, p->sessions[s].file);
	}
	end_section(w, at);

	at = begin_section(w, SEC_ARRIVALS);
	put_arrivals(w, p, 0);
	end_section(w, at);

	at = begin_section(w, SEC_FACTS);
	put_u32(w, (uint32_t)p->nfacts);
	for (size_t i = 0; i < p->nfacts; i++) {
		const struct rt_fact *f = &p->facts[i];
		put_u32(w, f->key);
		put_u32(w, f->text);
		put_value(w, &f->value);
		put_u32(w, f->source);
		put_u32(w, f->line);
		put_u32(w, f->file);
	}
	end_section(w, at);

	at = begin_section(w, SEC_CODE);
	put_u16(w, p->max_stack);
	put_u32(w, (uint32_t)p->ncode);
	for (size_t i = 0; i < p->ncode; i++) {
		put_u8(w, p->code[i].op);
		put_u32(w, p->code[i].operand);
	}
	end_section(w, at);

	at = begin_section(w, SEC_LINES);
	put_u32(w, (uint32_t)(p->lines ? p->ncode : 0));
	for (size_t i = 0; p->lines && i < p->ncode; i++)
		put_u32(w, p->lines[i]);
	end_section(w, at);

	at = begin_section(w, SEC_SOURCE);
	put_u32(w, p->source_file);
	end_section(w, at);

	at = begin_section(w, SEC_RANGES);
	put_u32(w, (uint32_t)p->nranges);
	for (size_t i = 0; i < p->nranges; i++) {
		put_u32(w, (uint32_t)p->ranges[i].from);
		put_u32(w, (uint32_t)p->ranges[i].until);
	}
	end_section(w, at);
	write_groups(w, p);
	if (p->penalty.cap_dated) {
		size_t cap = begin_section(w, SEC_CAP_DATES);
		put_u32(w, (uint32_t)p->penalty.cap_from);
		put_u32(w, (uint32_t)p->penalty.cap_until);
		end_section(w, cap);
	}

	/* The end section holds the CRC-32 of every byte before it: the
	 * verifier proves a program safe to run, not that it is the one compiled,
	 * and a flipped bit can leave a program valid but with another meaning. */
	uint32_t crc = w->failed ? 0 : rt_bytecode_checksum(w->buf, w->len);
	at = begin_section(w, SEC_END);
	put_u32(w, crc);
	end_section(w, at);
}

int
rt_bytecode_encode(const struct rt_program *p, uint8_t **buf, size_t *len)
{
	struct writer w = { 0 };
	put_bytes(&w, RT_BYTECODE_MAGIC, MAGIC_LEN);
	put_u16(&w, RT_BYTECODE_VERSION_MAJOR);
	put_u16(&w, RT_BYTECODE_VERSION_MINOR);
	put_u32(&w, 0); /* flags: none defined yet */
	write_tables(&w, p);
	write_rest(&w, p);
	if (w.failed) {
		free(w.buf);
		return -1;
	}
	*buf = w.buf;
	*len = w.len;
	return 0;
}

int
rt_bytecode_save(const struct rt_program *p, const char *path, char *err, size_t errsz)
{
	uint8_t *buf;
	size_t len;
	if (rt_bytecode_encode(p, &buf, &len)) {
		snprintf(err, errsz, "%s: out of memory", path);
		return -1;
	}
	FILE *f = fopen(path, "wb");
	if (!f) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		free(buf);
		return -1;
	}
	int ok = fwrite(buf, 1, len, f) == len, why = ok ? 0 : errno;
	if (base_output_close(f) != 0 && ok) {
		ok = 0;
		why = errno;
	}
	free(buf);
	if (!ok) {
		snprintf(err, errsz, "%s: write failed: %s", path, why ? strerror(why) : "a write failed");
		return -1;
	}
	return 0;
}

/* ---- reading ---- */

struct reader {
	const uint8_t *buf;
	size_t len;           /* end of the current section (or of the file) */
	size_t pos;
	const char *section;  /* for messages */
	char *err;
	size_t errsz;
	int failed;           /* the first error is kept */
};

static void
read_fail(struct reader *r, const char *fmt, ...)
{
	if (r->failed)
		return;
	r->failed = 1;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->err, r->errsz, fmt, ap);
	va_end(ap);
}

/* Reads n bytes little-endian; 0 once anything failed, so callers check r->failed once per record. */
static uint64_t
get_uint(struct reader *r, int n)
{
	if (r->failed)
		return 0;
	if (r->len - r->pos < (size_t)n) {
		read_fail(r, "truncated in section '%s'", r->section);
		return 0;
	}
	uint64_t v = 0;
	for (int i = 0; i < n; i++)
		v |= (uint64_t)r->buf[r->pos + (size_t)i] << (8 * i);
	r->pos += (size_t)n;
	return v;
}

static uint8_t get_u8(struct reader *r) { return (uint8_t)get_uint(r, 1); }
static uint16_t get_u16(struct reader *r) { return (uint16_t)get_uint(r, 2); }
static uint32_t get_u32(struct reader *r) { return (uint32_t)get_uint(r, 4); }
static int64_t get_i64(struct reader *r) { return (int64_t)get_uint(r, 8); }

static struct rt_value
get_value(struct reader *r)
{
	struct rt_value v;
	v.num = get_i64(r);
	v.den = get_i64(r);
	v.unit = get_u8(r);
	return v;
}

/*
 * Enters the next section, which must carry `tag`. Sections a later minor
 * version adds after the known ones are skipped by the caller.
 */
static int
enter_section(struct reader *r, size_t file_len, uint32_t tag)
{
	const char *name = tag == SEC_END ? "end" : section_names[tag];
	r->len = file_len;
	r->section = name;
	uint32_t got = get_u32(r);
	uint32_t size = get_u32(r);
	if (r->failed) {
		r->failed = 0;
		read_fail(r, "truncated before section '%s'", name);
		return -1;
	}
	if (got != tag) {
		read_fail(r, "expected section '%s' but found tag 0x%08x", name, got);
		return -1;
	}
	if (size > MAX_SECTION) {
		read_fail(r, "section '%s' is too large (%u bytes)", name, size);
		return -1;
	}
	if (file_len - r->pos < size) {
		read_fail(r, "truncated in section '%s'", name);
		return -1;
	}
	r->len = r->pos + size;
	return 0;
}

static int
leave_section(struct reader *r)
{
	if (!r->failed && r->pos != r->len)
		read_fail(r, "section '%s' has %zu bytes left over", r->section, r->len - r->pos);
	return r->failed ? -1 : 0;
}

/*
 * Reads a record count and allocates the table, after checking that the
 * section holds exactly count records of `size` bytes (after the count).
 */
static void *
get_table(struct reader *r, size_t *count, size_t size, size_t elem)
{
	uint32_t n = get_u32(r);
	if (r->failed)
		return NULL;
	if ((uint64_t)n * size != r->len - r->pos) {
		read_fail(r, "counts do not match the section length in section '%s'", r->section);
		return NULL;
	}
	if (n > RT_MAX_TABLE) {
		read_fail(r, "too many rows in section '%s': %u (at most %d)", r->section, n, RT_MAX_TABLE);
		return NULL;
	}
	*count = n;
	if (n == 0)
		return NULL;
	void *t = calloc(n, elem);
	if (!t)
		read_fail(r, "out of memory reading section '%s'", r->section);
	return t;
}

static void
read_strings(struct reader *r, struct rt_program *p)
{
	uint32_t n = get_u32(r);
	if (r->failed)
		return;
	/* each string takes at least 5 bytes: this bounds the allocation */
	if ((uint64_t)n * 5 > r->len - r->pos) {
		read_fail(r, "counts do not match the section length in section 'strings'");
		return;
	}
	/* The verifier's limit, checked before a million small allocations are made. */
	if (n > RT_MAX_TABLE) {
		read_fail(r, "too many strings: %u (at most %d)", n, RT_MAX_TABLE);
		return;
	}
	if (n == 0)
		return;
	p->strings = calloc(n, sizeof *p->strings);
	if (!p->strings) {
		read_fail(r, "out of memory reading section 'strings'");
		return;
	}
	p->cap_strings = n;
	for (uint32_t i = 0; i < n && !r->failed; i++) {
		uint32_t size = get_u32(r);
		if (r->failed)
			break;
		if (r->len - r->pos < (size_t)size + 1) {
			read_fail(r, "truncated in section 'strings' (string %u)", i);
			break;
		}
		const uint8_t *s = r->buf + r->pos;
		if (s[size] != 0) {
			read_fail(r, "string %u is not terminated", i);
			break;
		}
		if (memchr(s, 0, size)) {
			read_fail(r, "string %u contains a NUL byte", i);
			break;
		}
		p->strings[i] = malloc((size_t)size + 1);
		if (!p->strings[i]) {
			read_fail(r, "out of memory reading section 'strings'");
			break;
		}
		memcpy(p->strings[i], s, (size_t)size + 1);
		p->nstrings = i + 1;
		r->pos += (size_t)size + 1;
	}
}

static void
read_constants(struct reader *r, struct rt_program *p)
{
	p->constants = get_table(r, &p->nconstants, CONSTANT_SIZE, sizeof *p->constants);
	p->cap_constants = p->nconstants;
	for (size_t i = 0; i < p->nconstants && !r->failed; i++)
		p->constants[i] = get_value(r);
}

#define SECTION(r, file_len, tag, body)                                     \
	do {                                                                \
		if (!(r)->failed && enter_section((r), (file_len), (tag)) == 0) { \
			body;                                               \
			leave_section(r);                                   \
		}                                                           \
	} while (0)

static void
read_codes(struct reader *r, struct rt_program *p)
{
	p->codes = get_table(r, &p->ncodes, CODE_SIZE, sizeof *p->codes);
	p->cap_codes = p->ncodes;
	for (size_t i = 0; i < p->ncodes && !r->failed; i++) {
		struct rt_code *c = &p->codes[i];
		c->name = get_u32(r);
		c->meaning = get_u32(r);
		c->category = get_u8(r);
		c->flags = get_u8(r);
		c->maps_to = get_u8(r);
		c->valid_from = (rt_date)get_u32(r);
		c->valid_until = (rt_date)get_u32(r);
		c->source = get_u32(r);
		c->line = get_u32(r);
		c->file = get_u32(r);
	}
}

static void
read_codesets(struct reader *r, struct rt_program *p)
{
	p->codesets = get_table(r, &p->ncodesets, CODESET_SIZE, sizeof *p->codesets);
	p->cap_codesets = p->ncodesets;
	for (size_t i = 0; i < p->ncodesets && !r->failed; i++)
		for (int b = 0; b < 4; b++)
			p->codesets[i].bits[b] = (uint64_t)get_i64(r);
}

static void
read_measures(struct reader *r, struct rt_program *p)
{
	p->measures = get_table(r, &p->nmeasures, MEASURE_SIZE, sizeof *p->measures);
	p->cap_measures = p->nmeasures;
	for (size_t i = 0; i < p->nmeasures && !r->failed; i++) {
		struct rt_measure *m = &p->measures[i];
		m->kind = get_u8(r);
		m->period = get_u8(r);
		m->weeks = get_u16(r);
		m->codeset = get_u32(r);
		m->label = get_u32(r);
		m->rule = get_u32(r);
		m->flags = get_u8(r);
	}
}

static void
read_schedules(struct reader *r, struct rt_program *p)
{
	p->schedules = get_table(r, &p->nschedules, SCHEDULE_SIZE, sizeof *p->schedules);
	p->cap_schedules = p->nschedules;
	for (size_t i = 0; i < p->nschedules && !r->failed; i++) {
		struct rt_schedule *s = &p->schedules[i];
		s->name = get_u32(r);
		s->unit = get_u8(r);
		s->present = get_u8(r);
		for (int h = 0; h < RT_MAX_HALF_TERMS; h++)
			s->num[h] = get_i64(r);
		s->line = get_u32(r);
	}
}

static void
read_rules(struct reader *r, struct rt_program *p)
{
	p->rules = get_table(r, &p->nrules, RULE_SIZE, sizeof *p->rules);
	p->cap_rules = p->nrules;
	for (size_t i = 0; i < p->nrules && !r->failed; i++) {
		struct rt_rule *u = &p->rules[i];
		u->name = get_u32(r);
		u->title = get_u32(r);
		u->kind = get_u8(r);
		u->stage = get_u16(r);
		u->first_action = get_u32(r);
		u->action_count = get_u32(r);
		u->letter = get_u32(r);
		u->source = get_u32(r);
		u->line = get_u32(r);
		u->file = get_u32(r);
		u->in_force = get_u32(r);
	}
}

static void
read_actions(struct reader *r, struct rt_program *p)
{
	p->actions = get_table(r, &p->nactions, ACTION_SIZE, sizeof *p->actions);
	p->cap_actions = p->nactions;
	for (size_t i = 0; i < p->nactions && !r->failed; i++) {
		p->actions[i].text = get_u32(r);
		p->actions[i].owner = get_u32(r);
	}
}

static void
read_letters(struct reader *r, struct rt_program *p)
{
	p->letters = get_table(r, &p->nletters, LETTER_SIZE, sizeof *p->letters);
	p->cap_letters = p->nletters;
	for (size_t i = 0; i < p->nletters && !r->failed; i++) {
		struct rt_letter *l = &p->letters[i];
		l->name = get_u32(r);
		l->title = get_u32(r);
		l->body = get_u32(r);
		l->source = get_u32(r);
		l->line = get_u32(r);
	}
}

static void
read_fines(struct reader *r, struct rt_program *p)
{
	p->fines = get_table(r, &p->nfines, FINE_SIZE, sizeof *p->fines);
	p->cap_fines = p->nfines;
	for (size_t i = 0; i < p->nfines && !r->failed; i++) {
		struct rt_fine *f = &p->fines[i];
		f->from = (rt_date)get_u32(r);
		f->until = (rt_date)get_u32(r);
		f->notice = get_u8(r);
		f->pence = get_i64(r);
		f->days = get_u16(r);
		f->later_pence = get_i64(r);
		f->later_days = get_u16(r);
		f->source = get_u32(r);
		f->line = get_u32(r);
		f->file = get_u32(r);
	}
}

static void
read_penalty(struct reader *r, struct rt_program *p)
{
	if (r->len - r->pos != PENALTY_SIZE) {
		read_fail(r, "section 'penalty' has %zu bytes, expected %d", r->len - r->pos, PENALTY_SIZE);
		return;
	}
	p->penalty.defined = get_u8(r);
	p->penalty.max_notices = get_u8(r);
	p->penalty.cap_years = get_u8(r);
	p->penalty.unpaid_days = get_u16(r);
	p->penalty.alternative = get_u32(r);
	p->penalty.unpaid_action = get_u32(r);
	p->penalty.source = get_u32(r);
}

static void
read_register(struct reader *r, struct rt_program *p)
{
	if (r->len - r->pos != REGISTER_SIZE) {
		read_fail(r, "section 'register' has %zu bytes, expected %d", r->len - r->pos, REGISTER_SIZE);
		return;
	}
	for (int s = 0; s < 2; s++) {
		p->sessions[s].opens = (int16_t)get_u16(r);
		p->sessions[s].closes = (int16_t)get_u16(r);
		p->sessions[s].line = get_u32(r);
		p->sessions[s].file = get_u32(r);
	}
}

static void
get_arrival(struct reader *r, struct rt_arrival_rule *a)
{
	a->session = get_u8(r);
	a->after = (int16_t)get_u16(r);
	a->code = get_u8(r);
	a->source = get_u32(r);
	a->line = get_u32(r);
	a->file = get_u32(r);
}

static void
read_arrivals(struct reader *r, struct rt_program *p)
{
	p->arrivals = get_table(r, &p->narrivals, ARRIVAL_SIZE, sizeof *p->arrivals);
	p->cap_arrivals = p->narrivals;
	for (size_t i = 0; i < p->narrivals && !r->failed; i++)
		get_arrival(r, &p->arrivals[i]);
}

static void
read_facts(struct reader *r, struct rt_program *p)
{
	p->facts = get_table(r, &p->nfacts, FACT_SIZE, sizeof *p->facts);
	p->cap_facts = p->nfacts;
	for (size_t i = 0; i < p->nfacts && !r->failed; i++) {
		struct rt_fact *f = &p->facts[i];
		f->key = get_u32(r);
		f->text = get_u32(r);
		f->value = get_value(r);
		f->source = get_u32(r);
		f->line = get_u32(r);
		f->file = get_u32(r);
	}
}

static void
read_ranges(struct reader *r, struct rt_program *p)
{
	p->ranges = get_table(r, &p->nranges, RANGE_SIZE, sizeof *p->ranges);
	p->cap_ranges = p->nranges;
	for (size_t i = 0; i < p->nranges && !r->failed; i++) {
		p->ranges[i].from = (rt_date)get_u32(r);
		p->ranges[i].until = (rt_date)get_u32(r);
	}
}

static void
read_groups(struct reader *r, struct rt_program *p)
{
	p->groups = get_table(r, &p->ngroups, GROUP_SIZE, sizeof *p->groups);
	p->cap_groups = p->ngroups;
	for (size_t i = 0; i < p->ngroups && !r->failed; i++) {
		struct rt_group_session *g = &p->groups[i];
		g->session = get_u8(r);
		g->from = (int8_t)get_u8(r);
		g->until = (int8_t)get_u8(r);
		g->opens = (int16_t)get_u16(r);
		g->closes = (int16_t)get_u16(r);
		g->line = get_u32(r);
		g->file = get_u32(r);
	}
}

/* The groups' arrival rules, after the school-wide ones. */
static void
read_group_arrivals(struct reader *r, struct rt_program *p)
{
	size_t n = 0;
	struct rt_arrival_rule *more = get_table(r, &n, GROUP_ARRIVAL_SIZE, sizeof *more);
	if (r->failed || n == 0)
		return;
	struct rt_arrival_rule *all = realloc(p->arrivals, (p->narrivals + n) * sizeof *all);
	if (!all) {
		free(more);
		read_fail(r, "out of memory reading section '%s'", r->section);
		return;
	}
	for (size_t i = 0; i < n && !r->failed; i++) {
		get_arrival(r, &more[i]);
		more[i].group = get_u32(r);
	}
	memcpy(all + p->narrivals, more, n * sizeof *all);
	free(more);
	p->arrivals = all;
	p->narrivals += n;
	p->cap_arrivals = p->narrivals;
}

/* The tag of the next section, without reading it. */
static uint32_t
peek_tag(const struct reader *r, size_t file_len)
{
	if (file_len - r->pos < 4)
		return 0;
	const uint8_t *b = r->buf + r->pos;
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static void
read_code(struct reader *r, struct rt_program *p)
{
	p->max_stack = get_u16(r);
	p->code = get_table(r, &p->ncode, INSTR_SIZE, sizeof *p->code);
	p->cap_code = p->ncode;
	for (size_t i = 0; i < p->ncode && !r->failed; i++) {
		p->code[i].op = get_u8(r);
		p->code[i].operand = get_u32(r);
	}
}

static void
read_lines(struct reader *r, struct rt_program *p)
{
	size_t n = 0;
	p->lines = get_table(r, &n, 4, sizeof *p->lines);
	if (r->failed)
		return;
	if (n != p->ncode) {
		read_fail(r, "the line table has %zu entries for %zu instructions", n, p->ncode);
		return;
	}
	for (size_t i = 0; i < n; i++)
		p->lines[i] = get_u32(r);
}

/* Skips sections a newer minor version added after the known ones, then reads
 * END, which holds the CRC-32 of everything before it. */
static void
read_end(struct reader *r, size_t file_len)
{
	for (;;) {
		r->len = file_len;
		r->section = "end";
		size_t start = r->pos;
		uint32_t tag = get_u32(r);
		uint32_t size = get_u32(r);
		if (r->failed) {
			r->failed = 0;
			read_fail(r, "truncated before section 'end'");
			return;
		}
		if (tag == SEC_END) {
			if (size != 4) {
				read_fail(r, "the end section holds %u bytes, not 4", size);
				return;
			}
			uint32_t crc = get_u32(r);
			if (!r->failed && crc != rt_bytecode_checksum(r->buf, start))
				read_fail(r, "checksum mismatch: the file is corrupted");
			if (!r->failed && r->pos != file_len)
				read_fail(r, "%zu bytes after the end section", file_len - r->pos);
			return;
		}
		if (tag <= SEC_CAP_DATES) {
			read_fail(r, "section tag %u out of order at byte %zu", tag, start);
			return;
		}
		if (size > file_len - r->pos) {
			read_fail(r, "truncated in unknown section %u", tag);
			return;
		}
		r->pos += size;
	}
}

int
rt_bytecode_decode(const uint8_t *buf, size_t len, struct rt_program **out, char *err, size_t errsz)
{
	char scratch[1];
	if (!err || !errsz) {
		err = scratch;
		errsz = sizeof scratch;
	}
	*out = NULL;
	if (len < MAGIC_LEN || memcmp(buf, RT_BYTECODE_MAGIC, MAGIC_LEN) != 0) {
		snprintf(err, errsz, "bad magic: not an attend bytecode file");
		return -1;
	}
	struct reader r = { buf, len, MAGIC_LEN, "header", err, errsz, 0 };
	uint16_t major = get_u16(&r);
	uint16_t minor = get_u16(&r);
	uint32_t flags = get_u32(&r);
	if (r.failed)
		return -1;
	if (major < RT_BYTECODE_VERSION_MAJOR) {
		snprintf(err, errsz, "compiled by an older attend (bytecode %u.%u; this build reads %d.x): recompile the "
		         "policy with `attend compile`", major, minor, RT_BYTECODE_VERSION_MAJOR);
		return -1;
	}
	if (major != RT_BYTECODE_VERSION_MAJOR) {
		snprintf(err, errsz, "unsupported version %u.%u (this build reads %d.x): compiled by a newer attend", major,
		         minor, RT_BYTECODE_VERSION_MAJOR);
		return -1;
	}
	if (flags != 0) {
		snprintf(err, errsz, "unsupported flags 0x%08x", flags);
		return -1;
	}
	struct rt_program *p = rt_program_new();
	SECTION(&r, len, SEC_STRINGS, read_strings(&r, p));
	SECTION(&r, len, SEC_CONSTANTS, read_constants(&r, p));
	SECTION(&r, len, SEC_CODES, read_codes(&r, p));
	SECTION(&r, len, SEC_CODESETS, read_codesets(&r, p));
	SECTION(&r, len, SEC_MEASURES, read_measures(&r, p));
	SECTION(&r, len, SEC_SCHEDULES, read_schedules(&r, p));
	SECTION(&r, len, SEC_RULES, read_rules(&r, p));
	SECTION(&r, len, SEC_ACTIONS, read_actions(&r, p));
	SECTION(&r, len, SEC_LETTERS, read_letters(&r, p));
	SECTION(&r, len, SEC_FINES, read_fines(&r, p));
	SECTION(&r, len, SEC_PENALTY, read_penalty(&r, p));
	SECTION(&r, len, SEC_REGISTER, read_register(&r, p));
	SECTION(&r, len, SEC_ARRIVALS, read_arrivals(&r, p));
	SECTION(&r, len, SEC_FACTS, read_facts(&r, p));
	SECTION(&r, len, SEC_CODE, read_code(&r, p));
	SECTION(&r, len, SEC_LINES, read_lines(&r, p));
	SECTION(&r, len, SEC_SOURCE, p->source_file = get_u32(&r));
	SECTION(&r, len, SEC_RANGES, read_ranges(&r, p));
	if (!r.failed && peek_tag(&r, len) == SEC_GROUPS) {
		SECTION(&r, len, SEC_GROUPS, read_groups(&r, p));
		SECTION(&r, len, SEC_GROUP_ARRIVALS, read_group_arrivals(&r, p));
	}
	if (!r.failed && peek_tag(&r, len) == SEC_CAP_DATES)
		SECTION(&r, len, SEC_CAP_DATES, (p->penalty.cap_dated = 1, p->penalty.cap_from = (rt_date)get_u32(&r),
		                                 p->penalty.cap_until = (rt_date)get_u32(&r)));
	if (!r.failed)
		read_end(&r, len);
	if (r.failed || rt_verify(p, err, errsz)) {
		rt_program_free(p);
		return -1;
	}
	*out = p;
	return 0;
}

int
rt_bytecode_load(const char *path, struct rt_program **out, char *err, size_t errsz)
{
	*out = NULL;
	size_t len = 0;
	uint8_t *buf = (uint8_t *)base_read_file(path, 16 * (size_t)MAX_SECTION, &len);
	int rc = 0;
	if (!buf) {
		snprintf(err, errsz, "%s: %s", path, errno == EFBIG ? "file too large" : strerror(errno));
		rc = -1;
	}
	if (rc == 0) {
		char why[256];
		rc = rt_bytecode_decode(buf, len, out, why, sizeof why);
		if (rc)
			snprintf(err, errsz, "%s: %s", path, why);
	}
	free(buf);
	return rc;
}

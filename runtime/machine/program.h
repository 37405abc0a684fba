/*
 * A compiled policy in memory: what the compiler (lang/codegen.c) builds,
 * what bytecode.c writes to and reads from a .apc file, what verify.c checks
 * and what the VM (vm.c) runs. Everything is indexes into flat tables, so the
 * file format is a direct image of this structure.
 *
 * Ownership: a struct rt_program owns all its arrays; rt_program_free() frees
 * them. Strings are interned: rt_program_string() returns the index of an
 * equal string if one exists, so equal texts share one index.
 */
#ifndef RT_PROGRAM_H
#define RT_PROGRAM_H

#include <stddef.h>
#include <stdint.h>

#include "runtime/machine/date.h"
#include "runtime/machine/years.h"

#define RT_NO_STRING UINT32_MAX /* an absent optional string */
#define RT_MAX_CODES 255        /* code indexes fit a byte; 255 means "no mark" */
#define RT_NO_MARK 255
#define RT_MAX_HALF_TERMS 6
#define RT_MAX_TABLE 1000000    /* rows in any one table (the verifier's limit; the loader checks it before allocating) */
#define RT_MAX_STAGE 65535      /* stage numbers are 16-bit */

/* Units of a value. The compiler checks them; the VM carries them for printing. */
enum rt_unit {
	RT_UNIT_NONE,      /* a plain number */
	RT_UNIT_BOOL,      /* true (1/1) or false (0/1) */
	RT_UNIT_PERCENT,   /* num/den is the percentage itself: 96.5% is 965/10 */
	RT_UNIT_SESSIONS,  /* whole sessions */
	RT_UNIT_DAYS,      /* school days; num/den, so 3 sessions are 3/2 days */
	RT_UNIT_SCHOOL_WEEKS,
	RT_UNIT_WEEKS,     /* calendar weeks (notice periods) */
	RT_UNIT_YEARS,
	RT_UNIT_MONEY,     /* pence */
	RT_UNIT_DATE,      /* an rt_date */
	RT_UNIT_TIME,      /* minutes since midnight */
	RT_UNIT_NONE_VALUE /* "no value" (a schedule with no entry for this half term);
	                      every comparison with it is false */
};

/* An exact value: num/den with den > 0. Rates stay rational so that 10.0%
 * compares equal to 10% and 9.99% does not. */
struct rt_value {
	int64_t num;
	int64_t den;
	uint8_t unit; /* enum rt_unit */
};

/* Statistical category of a code (domain.md §1a). */
enum rt_category {
	RT_CAT_PRESENT,       /* present: / \ L */
	RT_CAT_EDUCATIONAL,   /* approved educational activity: counts as attendance */
	RT_CAT_AUTHORISED,    /* authorised absence */
	RT_CAT_UNAUTHORISED,  /* unauthorised absence */
	RT_CAT_NOT_POSSIBLE,  /* not a possible session */
	RT_CAT__COUNT
};

#define RT_CODE_PENALTY 0x01 /* counts toward the penalty-notice threshold */

struct rt_code {
	uint32_t name;        /* string: the mark as it appears in the register, "I01" */
	uint32_t meaning;     /* string or RT_NO_STRING */
	uint8_t category;     /* enum rt_category (for a sub-code: its statutory code's) */
	uint8_t flags;        /* RT_CODE_* (for a sub-code: its statutory code's) */
	uint8_t maps_to;      /* code index of the statutory code, or this code's own index */
	rt_date valid_from;   /* first date the code may be used, RT_DATE_MIN if always */
	rt_date valid_until;  /* last date, RT_DATE_MAX if still in use */
	uint32_t source;      /* string: the citation, or RT_NO_STRING */
	uint32_t line;        /* source line */
	uint32_t file;        /* string: the policy file the line is in (a baseline's or the school's) */
};

/* A set of code indexes. */
struct rt_codeset {
	uint64_t bits[4];
};

/* Register measures are computed natively, once per pupil per evaluation. */
enum rt_measure_kind {
	RT_M_SESSIONS,        /* sessions with a code in the set, in the period */
	RT_M_DAYS,            /* the same, in days (sessions / 2) */
	RT_M_RATE,            /* 100 * sessions in the set / possible sessions, in percent */
	RT_M_CONSECUTIVE_DAYS,/* school days in a row, ending at the last marked day on or before
	                         the as-of date, on which every possible session is in the set */
	RT_M_HALF_TERM,       /* the number (1..6) of the half term of the as-of date, 0 outside */
	/* The "since" kinds read the outcome of rule `rule`, decided earlier in the
	 * same run, and the recorded history (rt_eval_pupil_history); the VM
	 * computes them when MEASURE runs. "No value" when the rule does not hold. */
	RT_M_WEEKS_SINCE,     /* school weeks from the week the rule started holding to the as-of
	                         date's week (holiday weeks do not count); 0 in the week it started */
	RT_M_DAYS_SINCE,      /* school days after the day it started holding, up to and including as-of */
	RT_M_LONGEST_RUN,     /* the longest run of school days in the period on which at least one possible
	                         marked session is in the set (days with none possible neither extend nor break it) */
	RT_M__COUNT           /* never stored: files hold kinds, and the verifier rejects >= this */
};

/* rt_measure.flags */
#define RT_MEASURE_AFTER_NOTICE 0x01 /* the window starts after the history's counted_until:
                                        sessions already counted toward a notice do not count again */
#define RT_MEASURE_RECORDED 0x02     /* a "since" kind counted from the rule's start by the recorded
                                        history up to the day before (rt_pupil_history), not from today's
                                        outcome: a rule may read how long it has itself been running */
/* Figures at another time: the measure as of another date than the as-of date (at most one of these). */
#define RT_MEASURE_AT_START 0x04     /* the date rule `rule` started holding, by the recorded history */
#define RT_MEASURE_AT_LAST_YEAR 0x08 /* the last day of the previous school year (31 July) */
#define RT_MEASURE_AT_YEAR_AGO 0x10  /* the same date a year earlier (28 February for 29 February) */
#define RT_MEASURE_AT (RT_MEASURE_AT_START | RT_MEASURE_AT_LAST_YEAR | RT_MEASURE_AT_YEAR_AGO)
#define RT_MEASURE__FLAGS (RT_MEASURE_AFTER_NOTICE | RT_MEASURE_RECORDED | RT_MEASURE_AT) /* every defined flag */


enum rt_period {
	RT_P_YEAR,            /* the school year of the as-of date (1 Aug..31 Jul), up to as-of */
	RT_P_TERM,            /* the term (half terms 1-2, 3-4, 5-6) of the as-of date */
	RT_P_HALF_TERM,       /* the half term of the as-of date */
	RT_P_SCHOOL_WEEKS,    /* the last `weeks` school weeks, ending with the as-of date's week;
	                         weeks with no school session are skipped; spans terms and years */
	RT_P_ANY_WEEKS_YEAR,  /* the most in any `weeks` school weeks of the school year, up to as-of */
	RT_P_ANY_WEEKS_TERM,  /* the same within the term */
	RT_P_SINCE,           /* the school days after rule `rule` started holding, by the recorded history
	                         (up to the day before), up to as-of; "no value" when it did not hold then */
	RT_P__COUNT
};

struct rt_measure {
	uint8_t kind;         /* enum rt_measure_kind */
	uint8_t period;       /* enum rt_period */
	uint16_t weeks;       /* for RT_P_SCHOOL_WEEKS */
	uint32_t codeset;     /* index into codesets (ignored by RT_M_HALF_TERM and the "since" kinds) */
	uint32_t label;       /* string: how explanations name it, "unauthorised sessions" */
	uint32_t rule;        /* for the "since" kinds and RT_P_SINCE: the rule index; else 0 */
	uint8_t flags;        /* RT_MEASURE_* */
};

/* A value per half term (Kildwick's 10/22/30/38/46 sessions). */
struct rt_schedule {
	uint32_t name;        /* string */
	uint8_t unit;         /* enum rt_unit of the values */
	uint8_t present;      /* bit h-1 set when half term h has a value */
	int64_t num[RT_MAX_HALF_TERMS]; /* value for half term h at [h-1], den 1 */
	uint32_t line;
};

enum rt_rule_kind {
	RT_RULE_FLAG,         /* a named condition: persistent absence, children missing education */
	RT_RULE_STAGE,        /* an escalation stage; the highest stage that holds is the pupil's */
	RT_RULE_PENALTY       /* a penalty notice must be considered */
};

struct rt_action {
	uint32_t text;        /* string */
	uint32_t owner;       /* string, or RT_NO_STRING */
};

struct rt_rule {
	uint32_t name;        /* string: identifier for flags ("persistent_absence"), title for stages */
	uint32_t title;       /* string: human title, or RT_NO_STRING */
	uint8_t kind;         /* enum rt_rule_kind */
	uint16_t stage;       /* stage number for RT_RULE_STAGE, else 0 */
	uint32_t first_action;/* index into actions */
	uint32_t action_count;
	uint32_t letter;      /* index into letters, or UINT32_MAX */
	uint32_t source;      /* string citation, or RT_NO_STRING */
	uint32_t line;        /* source line of the rule */
	uint32_t file;        /* string: the policy file it is written in */
	uint32_t in_force;    /* 1 + index into ranges: the dates the rule is in force (`from D until D`),
	                         or RT_ALWAYS; the code tests it with IN_FORCE */
};

#define RT_ALWAYS 0 /* a rule with no dates (so a zeroed rule is always in force) */

/* The flag a policy's `notice to improve` block compiles to (and its name in the decision history). */
#define RT_IMPROVE_NAME "notice_to_improve"

/* Dates something is in force, both included; RT_DATE_MIN / RT_DATE_MAX when open. */
struct rt_range {
	rt_date from;
	rt_date until;
};

struct rt_letter {
	uint32_t name;        /* string: identifier */
	uint32_t title;       /* string */
	uint32_t body;        /* string: template text with {placeholders} */
	uint32_t source;
	uint32_t line;
};

/* One row of the fines table: the amount of a notice of a given ordinal
 * issued on a date in [from, until]. */
struct rt_fine {
	rt_date from;
	rt_date until;
	uint8_t notice;       /* 1 = first notice, 2 = second (and later, up to the cap) */
	int64_t pence;        /* amount if paid within `days` */
	uint16_t days;
	int64_t later_pence;  /* amount if paid within `later_days`; 0 when there is no second amount */
	uint16_t later_days;
	uint32_t source;
	uint32_t line;
	uint32_t file;        /* string: the policy file of `line` */
};

/* The penalty-notice framework beside the fines. */
struct rt_penalty {
	uint8_t defined;      /* 0 when the policy states no penalty framework */
	uint8_t max_notices;  /* per parent and child within `cap_years` of the first; 0 = no cap */
	uint8_t cap_years;
	uint16_t unpaid_days; /* after this many days unpaid, `unpaid_action` follows */
	uint32_t alternative; /* string: what is done instead when the cap is reached */
	uint32_t unpaid_action; /* string */
	uint32_t source;
	/* `at most ... from D until D`: the cap is in force on those dates only, and counts only the
	 * notices issued on them (when cap_dated; otherwise always, every notice) */
	uint8_t cap_dated;
	rt_date cap_from, cap_until;
};

enum rt_session { RT_AM = 0, RT_PM = 1 };

struct rt_register_session {
	int16_t opens;        /* minutes since midnight, -1 if not stated */
	int16_t closes;       /* -1 if not stated */
	uint32_t line;        /* where the session is declared; 0 if it is not */
	uint32_t file;        /* string: that policy file, or RT_NO_STRING */
};

/* Register times for some year groups (`session AM for years N1-N2 opens 08:45`):
 * they replace the school-wide session's for pupils in those years. Groups of
 * one session do not overlap. */
struct rt_group_session {
	uint8_t session;      /* enum rt_session */
	int8_t from, until;   /* year groups (years.h), both included */
	int16_t opens;        /* minutes since midnight, -1 if not stated: the school-wide time applies */
	int16_t closes;       /* -1 if not stated: the school-wide time applies */
	uint32_t line;
	uint32_t file;        /* string: the policy file of `line` */
};

/* Arriving strictly after `after` (minutes) in `session` gives `code`; the rule
 * with the latest `after` below the arrival time wins. */
struct rt_arrival_rule {
	uint8_t session;      /* enum rt_session */
	int16_t after;
	uint8_t code;         /* code index */
	uint32_t source;
	uint32_t line;
	uint32_t file;        /* string: the policy file of `line` */
	uint32_t group;       /* 0: school-wide; k + 1: for group session k's years only */
};

/* The register times that apply to a pupil: the session's, or a group's. */
struct rt_register_times {
	int16_t opens, closes;  /* -1 when not stated */
	int group;              /* the group session's index, or -1 for the school-wide session */
	uint32_t rules;         /* the arrival rules that apply: those with this `group` value */
};

/* A declared fact that is not evaluated per pupil but kept, shown and
 * validated: identity (school, version, approved, review, baseline), targets,
 * leave-of-absence notice periods, retention. */
struct rt_fact {
	uint32_t key;         /* string: dotted key, "identity.school", "target.attendance",
	                         "leave_notice.holiday", "retention.register" */
	uint32_t text;        /* string value, or RT_NO_STRING */
	struct rt_value value;/* numeric value when text is RT_NO_STRING */
	uint32_t source;
	uint32_t line;
	uint32_t file;        /* string: the policy file of `line`, or RT_NO_STRING (line 0) */
};

struct rt_instr {
	uint8_t op;           /* enum rt_opcode */
	uint32_t operand;
};

struct rt_program {
	char **strings;              size_t nstrings;
	struct rt_value *constants;  size_t nconstants;
	struct rt_code *codes;       size_t ncodes;
	struct rt_codeset *codesets; size_t ncodesets;
	struct rt_measure *measures; size_t nmeasures;
	struct rt_schedule *schedules; size_t nschedules;
	struct rt_rule *rules;       size_t nrules;
	struct rt_action *actions;   size_t nactions;
	struct rt_letter *letters;   size_t nletters;
	struct rt_fine *fines;       size_t nfines;
	struct rt_penalty penalty;
	struct rt_register_session sessions[2];
	struct rt_arrival_rule *arrivals; size_t narrivals;
	struct rt_group_session *groups; size_t ngroups;
	struct rt_fact *facts;       size_t nfacts;
	struct rt_range *ranges;     size_t nranges;
	struct rt_instr *code;       size_t ncode;
	uint32_t *lines;             /* source line of each instruction (ncode entries) */
	uint32_t source_file;        /* string: the policy file it was compiled from */
	uint16_t max_stack;          /* the deepest stack the code needs (set by the compiler, checked by the verifier) */
	/* capacities, for the builders below */
	size_t cap_strings, cap_constants, cap_codes, cap_codesets, cap_measures, cap_schedules,
	       cap_rules, cap_actions, cap_letters, cap_fines, cap_arrivals, cap_groups, cap_facts, cap_ranges, cap_code;
	/* open-addressing index over strings for rt_program_string (slot = string index + 1, 0 empty) */
	uint32_t *string_slots;
	size_t string_slots_cap;
	size_t strings_indexed;      /* how many strings the index holds; rebuilt when behind */
};

struct rt_program *rt_program_new(void);
void rt_program_free(struct rt_program *p);

/* Builders: each appends and returns the new index (strings are interned).
 * They abort on out-of-memory (there is nothing sensible to recover). */
uint32_t rt_program_string(struct rt_program *p, const char *s);
uint32_t rt_program_constant(struct rt_program *p, struct rt_value v);
uint32_t rt_program_code(struct rt_program *p, const struct rt_code *c);
uint32_t rt_program_codeset(struct rt_program *p, const struct rt_codeset *s);
uint32_t rt_program_measure(struct rt_program *p, const struct rt_measure *m); /* reuses an equal one */
uint32_t rt_program_schedule(struct rt_program *p, const struct rt_schedule *s);
uint32_t rt_program_rule(struct rt_program *p, const struct rt_rule *r);
uint32_t rt_program_action(struct rt_program *p, const struct rt_action *a);
uint32_t rt_program_letter(struct rt_program *p, const struct rt_letter *l);
uint32_t rt_program_fine(struct rt_program *p, const struct rt_fine *f);
uint32_t rt_program_arrival(struct rt_program *p, const struct rt_arrival_rule *a);
uint32_t rt_program_group(struct rt_program *p, const struct rt_group_session *g);
uint32_t rt_program_fact(struct rt_program *p, const struct rt_fact *f);
uint32_t rt_program_range(struct rt_program *p, const struct rt_range *r); /* reuses an equal one */
uint32_t rt_program_emit(struct rt_program *p, uint8_t op, uint32_t operand, uint32_t line);

/* Makes room for `need` elements of `elem` bytes (doubling), aborting on
 * out-of-memory as the builders do. Returns the (possibly moved) array. */
void *rt_grow(void *array, size_t *cap, size_t need, size_t elem);

/* Lookups used by the runtime. */
const char *rt_program_str(const struct rt_program *p, uint32_t index); /* "" for RT_NO_STRING */
int rt_program_find_code(const struct rt_program *p, const char *name); /* index or -1 */
const struct rt_fact *rt_program_find_fact(const struct rt_program *p, const char *key);
/* The register times of `session` for a pupil in `year` (RT_NO_YEAR: the school-wide ones):
 * a group session's times where it states them, and its arrival rules when it has any. */
struct rt_register_times rt_register_times(const struct rt_program *p, int session, int year);
/* Whether the policy says anything about year groups: register times per group or a group condition. */
int rt_program_uses_groups(const struct rt_program *p);
/* The fine row for notice `notice` (1-based; later ordinals fall back to the highest row) in force on `date`, or NULL. */
const struct rt_fine *rt_program_fine_in_force(const struct rt_program *p, int notice, rt_date date);

static inline int
rt_codeset_has(const struct rt_codeset *s, unsigned code)
{
	return code < 256 && (s->bits[code >> 6] >> (code & 63)) & 1;
}

static inline void
rt_codeset_add(struct rt_codeset *s, unsigned code)
{
	if (code < 256)
		s->bits[code >> 6] |= (uint64_t)1 << (code & 63);
}

const char *rt_unit_name(enum rt_unit unit);
const char *rt_category_name(enum rt_category cat);

/* Formats a value for people: "96.5%", "11 sessions", "3.5 days", "£80.00",
 * "2025-03-14", "09:10", "true". Percentages print with up to 2 decimals. */
void rt_value_format(const struct rt_value *v, char *buf, size_t size);

/* Exact comparison of two values of the same unit: <0, 0, >0. */
int rt_value_compare(const struct rt_value *a, const struct rt_value *b);

#endif

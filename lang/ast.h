/*
 * The syntax tree of a policy file. Every node carries its source location;
 * everything lives in the compilation's arena.
 *
 * Block declarations (register, schedule, flag, stage, letter, penalty notice)
 * keep their lines as a list of items in source order; the checker and the
 * code generator walk that list.
 */
#ifndef LANG_AST_H
#define LANG_AST_H

#include <stddef.h>
#include <stdint.h>

#include "runtime/machine/program.h"
#include "diag.h"

struct lang_decl;

enum lang_expr_kind {
	LANG_E_VALUE,    /* a literal: 10 sessions, 96.5%, £80, 2024-08-19 */
	LANG_E_MEASURE,  /* a register measure phrase */
	LANG_E_NAME,     /* a let, target, schedule or flag */
	LANG_E_STAGE,    /* stage N */
	LANG_E_NOT,
	LANG_E_AND,
	LANG_E_OR,
	LANG_E_CMP,
	LANG_E_ADD,
	LANG_E_SUB,
	LANG_E_IN_FORCE, /* the as-of date lies in [value.num, value.den] (dates): made by codegen for dated rules */
	LANG_E_YEARS     /* the pupil's year group lies in [years_from, years_until]; name: the phrase as written */
};

/* Which codes a measure counts. */
enum lang_filter {
	LANG_F_POSSIBLE,
	LANG_F_PRESENT,      /* present or approved educational activity */
	LANG_F_ABSENT,       /* authorised or unauthorised */
	LANG_F_AUTHORISED,
	LANG_F_UNAUTHORISED,
	LANG_F_PENALTY,      /* codes that count toward penalty notices */
	LANG_F_CODED         /* the listed codes and their sub-codes */
};

struct lang_strlist {
	const char *text;
	struct lang_loc loc;
	struct lang_strlist *next;
};

struct lang_measure {
	uint8_t kind;        /* enum rt_measure_kind */
	uint8_t filter;      /* enum lang_filter */
	uint8_t period;      /* enum rt_period */
	int64_t weeks;       /* for RT_P_SCHOOL_WEEKS */
	struct lang_loc weeks_loc;
	struct lang_strlist *codes; /* for LANG_F_CODED */
	/* RT_M_WEEKS_SINCE, RT_M_DAYS_SINCE: the rule referred to, a stage number
	 * or a flag name (the other is 0 / NULL); the checker sets the expr's ref */
	int64_t since_stage;
	const char *since_flag;
	/* RT_M_WEEKS_SINCE only: counted from the start the recorded history gives
	 * (up to the day before), not from today's outcome (made by codegen) */
	int recorded;
	/* Figures at another time (RT_MEASURE_AT_*, 0 for now); for RT_MEASURE_AT_START the rule,
	 * a stage number or a flag name; the checker sets the expr's ref */
	int at;
	int64_t at_stage;
	const char *at_flag;
};

struct lang_expr {
	enum lang_expr_kind kind;
	struct lang_loc loc;
	struct rt_value value;       /* LANG_E_VALUE */
	struct lang_measure measure; /* LANG_E_MEASURE */
	const char *name;            /* LANG_E_NAME */
	int64_t stage;               /* LANG_E_STAGE */
	int op;                      /* LANG_E_CMP: RT_OP_LT .. RT_OP_NE */
	int years_from, years_until; /* LANG_E_YEARS: year groups (runtime/machine/years.h) */
	struct lang_expr *lhs, *rhs; /* operands (NOT uses lhs) */
	/* filled in by the checker: */
	int unit;                    /* enum rt_unit of the result */
	struct lang_decl *ref;       /* what a NAME or STAGE refers to */
	int depth;                   /* operators on the deepest path below (0 for a leaf) */
};

/* The checker and code generator walk conditions recursively: bound the depth
 * so that no input can exhaust the stack (a chain of `or` is as deep as it is long). */
#define LANG_MAX_EXPR_DEPTH 256

enum lang_decl_kind {
	LANG_D_POLICY,
	LANG_D_VERSION,
	LANG_D_APPROVED,
	LANG_D_REVIEW,
	LANG_D_BUILDS_ON,
	LANG_D_CODE,
	LANG_D_REGISTER,
	LANG_D_LET,
	LANG_D_TARGET,
	LANG_D_SCHEDULE,
	LANG_D_FLAG,
	LANG_D_STAGE,
	LANG_D_LETTER,
	LANG_D_PENALTY,
	LANG_D_LEAVE_NOTICE,
	LANG_D_RETAIN,
	LANG_D_LETTERHEAD,
	LANG_D_REGISTER_WINDOW /* register closes within N minutes of opening[, the same for every session] */
};

enum lang_item_kind {
	LANG_I_SOURCE,     /* source "..." */
	LANG_I_WHEN,       /* when COND (flag, stage) */
	LANG_I_CONSIDER,   /* consider when COND (penalty notice) */
	LANG_I_ACTION,     /* action "..." [by "..."] */
	LANG_I_LETTER,     /* letter NAME (in a rule) */
	LANG_I_SESSION,    /* session AM opens T closes T */
	LANG_I_ARRIVAL,    /* arriving after T in AM is "L" */
	LANG_I_HALF_TERM,  /* half term N: VALUE */
	LANG_I_BODY,       /* a letter's text */
	LANG_I_FINE,       /* first notice £80 within 21 days[, £160 within 28 days] [from D] [until D] */
	LANG_I_CAP,        /* at most N notices in N years[, otherwise "..."] */
	LANG_I_UNPAID,     /* unpaid after N days "..." */
	LANG_I_FIELD,      /* letterhead: NAME "..." ["..."] or NAME """...""" */
	LANG_I_NOT_APPROPRIATE, /* support not appropriate when COND (notice to improve) */
	LANG_I_IMPROVEMENT,     /* improvement period N school weeks (notice to improve) */
	LANG_I_IMPROVED         /* improved when COND (notice to improve) */
};

struct lang_item {
	enum lang_item_kind kind;
	struct lang_loc loc;
	struct lang_item *next;
	const char *text;            /* SOURCE, ACTION, LETTER name, ARRIVAL code, BODY, CAP otherwise, UNPAID */
	const char *owner;           /* ACTION by, FIELD's second string (a signatory's role), or NULL */
	const char *key;             /* FIELD: the field's name (address, telephone, email, signatory) */
	struct lang_loc text_loc;    /* where `text` was written */
	struct lang_expr *expr;      /* WHEN, CONSIDER, HALF_TERM value */
	int session;                 /* SESSION, ARRIVAL: enum rt_session */
	int opens, closes;           /* SESSION: minutes, -1 if not stated */
	int after;                   /* ARRIVAL: minutes */
	int years_from, years_until; /* SESSION, ARRIVAL: `for years ...`, RT_NO_YEAR in both when school-wide */
	struct lang_loc years_loc;
	int64_t number;              /* HALF_TERM: N; FINE: notice ordinal; CAP: notices */
	struct rt_value amount;      /* FINE: first amount (pence); CAP: years; UNPAID: days */
	struct rt_value window;      /* FINE: days to pay the first amount */
	int has_later;
	struct rt_value later_amount, later_window;
	rt_date from, until;         /* FINE, WHEN, CONSIDER: RT_DATE_MIN / RT_DATE_MAX when open */
};

/* The flag a `notice to improve` block declares. */
#define LANG_IMPROVE_NAME RT_IMPROVE_NAME

struct lang_decl {
	enum lang_decl_kind kind;
	struct lang_loc loc;         /* the whole first line */
	struct lang_loc name_loc;
	struct lang_decl *next;
	int replaces;                /* written with `replaces` */
	const char *name;            /* identifier, code, stage title's key, leave reason */
	const char *title;           /* flag/stage/letter/schedule title, or NULL */
	const char *source;          /* one-line declarations' source "...", or NULL */
	const char *text;            /* POLICY, VERSION: the string; LEAVE_NOTICE without a period: "in advance" */
	rt_date date;                /* APPROVED, REVIEW */
	struct lang_expr *value;     /* LET, TARGET; LEAVE_NOTICE and RETAIN as a literal */
	int64_t stage;               /* STAGE: its number */
	/* CODE */
	int category;                /* enum rt_category; -1 for a sub-code */
	const char *maps_to;
	struct lang_loc maps_loc;
	const char *meaning;
	int penalty;
	rt_date from, until;         /* CODE; FLAG, STAGE, PENALTY: when the rule is in force */
	struct lang_loc dates_loc;   /* FLAG, STAGE, PENALTY: where `from ... until ...` is written */
	int improve;                 /* FLAG: the `notice to improve` block (a flag named notice_to_improve) */
	struct lang_decl *also;      /* LET: its further values, each with its dates (`let x = 92.9% until ...`) */
	/* blocks */
	struct lang_item *items;
	/* filled in by the checker */
	int index;                   /* rule, schedule, letter or code index in the program */
	int resolving;               /* a let being checked: catches let a = b, let b = a */
	int checked;
};

/* Constructors (arena-allocated, zeroed, with the given location). */
struct lang_arena;
struct lang_expr *lang_expr_new(struct lang_arena *a, enum lang_expr_kind kind, struct lang_loc loc);
struct lang_decl *lang_decl_new(struct lang_arena *a, enum lang_decl_kind kind, struct lang_loc loc);
struct lang_item *lang_item_new(struct lang_arena *a, enum lang_item_kind kind, struct lang_loc loc);

/* "flag", "stage", "code", ... as authors write them. */
const char *lang_decl_kind_name(enum lang_decl_kind kind);

/* The first item of a kind in a block, or NULL. */
const struct lang_item *lang_decl_item(const struct lang_decl *d, enum lang_item_kind kind);
/* The citation of a declaration: its `source` clause or source line, or NULL. */
const char *lang_decl_source(const struct lang_decl *d);

/* Writes an expression back as normalised policy text ("unauthorised sessions
 * in the last 10 school weeks", "absence rate >= 10%"); truncates to size. */
void lang_expr_format(const struct lang_expr *e, char *buf, size_t size);

#endif

/*
 * Year groups (docs/language.md, "Pupil groups"), as the register stores them
 * (docs/schema.md): N1 = -2, N2 = -1, R (reception) = 0, Years 1 to 14, the
 * values of the Common Transfer File's NCyearActual. A range of year groups
 * (`years N1-R`, `key stage is 1`) travels in one instruction operand.
 */
#ifndef RT_YEARS_H
#define RT_YEARS_H

#include <stddef.h>
#include <stdint.h>

#define RT_YEAR_FIRST (-2)  /* N1 */
#define RT_YEAR_LAST 14
#define RT_NO_YEAR (-128)   /* a pupil with no recorded year group: no group condition holds */

/* "N1", "N2", "R" or "0" (reception), "1" to "14": 0 with *out set, or -1. */
int rt_year_parse(const char *s, size_t len, int *out);

/* How a year group is written: "N1", "R", "7"; "none" for RT_NO_YEAR. */
const char *rt_year_name(int year, char buf[8]);

/* A range of year groups, both included, as an operand: (from + 2) | (until + 2) << 8. */
uint32_t rt_years_pack(int from, int until);

/* 0 with the range, or -1 when the operand is not a range from N1 to 14 that rises. */
int rt_years_unpack(uint32_t operand, int *from, int *until);

/* Writes the range as a policy writes it: "N1-R", "7". */
void rt_years_format(int from, int until, char buf[16]);

/* The years of key stage k (1 to 5): 0, or -1 when there is no such key stage. */
int rt_key_stage_years(int k, int *from, int *until);
/* The key stage of a year group, 0 for none (N1, N2, R: the early years foundation stage). */
int rt_key_stage_of(int year);

/* The years of a phase ("nursery", "primary", "secondary", "sixth form"): 0, or -1. */
int rt_phase_years(const char *name, int *from, int *until);
/* The phase of a year group, or NULL for RT_NO_YEAR. */
const char *rt_phase_of(int year);

#endif

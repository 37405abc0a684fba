/*
 * What the benchmark generators share (gen_register.c, gen_la.c): names, a
 * small deterministic random generator, marks in the CSV import format, and
 * file helpers. Each generator is one program; this header is included once.
 */
#ifndef BENCH_GEN_MARKS_H
#define BENCH_GEN_MARKS_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *gen_name = "gen"; /* the program, for messages */

static const char *const surnames[] = { "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson",
	"Davies", "Patel", "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green",
	"Hall", "Khan", "Clarke", "Smith, Jr" };
static const char *const forenames[] = { "Olivia", "Amelia", "Isla", "Ava", "Mia", "Noah", "Oliver", "George",
	"Arthur", "Muhammad", "Leo", "Harry", "Oscar", "Freya", "Lily", "Jack", "Ivy", "Theo", "Aisha", "Zain" };

/* xorshift64*: small, fast and the same everywhere. */
static uint64_t
next_random(uint64_t *state)
{
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return *state * 2685821657736338717u;
}

/* A random number in [0, n). */
static uint32_t
below(uint64_t *state, uint32_t n)
{
	return (uint32_t)((next_random(state) >> 32) * n >> 32);
}

static FILE *
create(const char *dir, const char *name)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "%s: cannot create %s: %s\n", gen_name, path, strerror(errno));
		exit(1);
	}
	setvbuf(f, NULL, _IOFBF, 1 << 20);
	return f;
}

static void
finish(FILE *f, const char *name)
{
	if (ferror(f) || fclose(f)) {
		fprintf(stderr, "%s: cannot write %s: %s\n", gen_name, name, strerror(errno));
		exit(1);
	}
}

/* Appends a small non-negative number. */
static char *
put_number(char *p, unsigned v)
{
	char tmp[12];
	int n = 0;
	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while (n)
		*p++ = tmp[--n];
	return p;
}

/* The mark for one session of a pupil whose absence rate is `absence` per 1000. */
static char *
put_mark(char *p, uint64_t *rng, unsigned absence, int pm, int *streak_code)
{
	static const char absent_codes[] = "IIIIIMMOOGNU";
	uint32_t r = below(rng, 1000);
	char code;
	if (*streak_code && below(rng, 100) < 50)
		code = (char)*streak_code;       /* absences come in runs: illness, holidays */
	else if (r < absence)
		code = absent_codes[below(rng, sizeof absent_codes - 1)];
	else if (r < absence + 20)
		code = 'L';
	else
		code = pm ? '\\' : '/';
	*streak_code = (code != '/' && code != '\\' && code != 'L' && code != 'U') ? code : 0;
	*p++ = code;
	if (code == 'L' || code == 'U') {
		unsigned late = code == 'L' ? 1 + below(rng, 25) : 31 + below(rng, 60);
		unsigned start = pm ? 13 * 60 + 15 : 8 * 60 + 45, at = start + late;
		*p++ = ',';
		p = put_number(p, late);
		*p++ = ',';
		*p++ = (char)('0' + at / 600);
		*p++ = (char)('0' + at / 60 % 10);
		*p++ = ':';
		*p++ = (char)('0' + at % 60 / 10);
		*p++ = (char)('0' + at % 10);
	} else {
		*p++ = ',';
		*p++ = ',';
	}
	*p++ = '\n';
	return p;
}

#endif

/*
 * Writes a local authority for the LA benchmark (docs/la.md): SCHOOLS schools
 * (default 150) with PUPILS pupils between them (default 60,000) over the
 * 2024-25 school year, each school with its own calendar (its INSET days differ),
 * its own policy file (one of three: Kildwick's, Russell Street's and a generated
 * secondary school's, renamed for the school) and its own register files; about
 * 1% of pupils move to another school at Christmas. Run from the repository root.
 *
 *   gen_la DIR [SCHOOLS] [PUPILS]
 *
 * DIR/la.csv is the manifest; DIR/URN/ holds school.csv, calendar.csv,
 * pupils.csv and marks.csv, to import into DIR/URN.db. Deterministic.
 */
#include "tests/bench/gen_marks.h"

#include <sys/stat.h>

#include "runtime/base/text.h"
#include "runtime/machine/date.h"

static const char *const half_terms[6][2] = {
	{ "2024-09-03", "2024-10-25" }, { "2024-11-04", "2024-12-20" }, { "2025-01-06", "2025-02-14" },
	{ "2025-02-24", "2025-04-04" }, { "2025-04-22", "2025-05-23" }, { "2025-06-02", "2025-07-22" },
};
#define MOVE_LEFT "2024-12-20"
#define MOVE_ADMITTED "2025-01-06"

static const char secondary_policy[] =
	"# A generated secondary school's policy (tests/bench/gen_la.c).\n"
	"builds on \"england-2024\"\n\npolicy \"%s\"\nversion \"2024-25\"\n\n"
	"stage 1 \"Attendance below 95%%: letter to parents\"\n"
	"  when attendance rate this year < 95%%\n  action \"Send the attendance letter\" by \"Head of year\"\nend\n\n"
	"stage 2 \"Attendance below 90%%: attendance meeting\"\n"
	"  when attendance rate this year < 90%%\n"
	"  action \"Invite parents to an attendance meeting\" by \"Head of year\"\nend\n\n"
	"stage 3 \"Continued unauthorised absence: referral to the local authority\"\n"
	"  when school weeks since stage 2 >= 4 school weeks and unauthorised sessions in the last 6 school weeks"
	" >= 6 sessions\n  action \"Refer to the local authority attendance team\" by \"Attendance officer\"\nend\n";

struct school {
	int urn;
	int kind;                  /* 0 Kildwick's policy, 1 Russell Street's, 2 secondary */
	char name[64];
	rt_date days[200];         /* its school days */
	size_t ndays;
};

/* Five INSET days, at the start of five half terms or (odd schools) at their end, and May Day. */
static void
make_calendar(struct school *s, const char *dir)
{
	char path[4096];
	snprintf(path, sizeof path, "%06d/calendar.csv", s->urn);
	FILE *f = create(dir, path);
	fputs("kind,start,end,session,name\n", f);
	rt_date closed[6];
	for (int h = 0; h < 6; h++) {
		fprintf(f, "half_term,%s,%s,,\n", half_terms[h][0], half_terms[h][1]);
		rt_date_parse(half_terms[h][s->urn % 2], 10, &closed[h]);
	}
	rt_date_parse("2025-05-05", 10, &closed[4]);      /* half term 5: the bank holiday instead */
	for (int c = 0; c < 6; c++) {
		char d[11];
		rt_date_format(closed[c], d);
		fprintf(f, "closure,%s,%s,,%s\n", d, d, c == 4 ? "May Day bank holiday" : "INSET day");
	}
	finish(f, path);
	s->ndays = 0;
	for (int h = 0; h < 6; h++) {
		rt_date a, b;
		rt_date_parse(half_terms[h][0], 10, &a);
		rt_date_parse(half_terms[h][1], 10, &b);
		for (rt_date d = a; d <= b; d++) {
			int shut = rt_date_weekday(d) >= 5;
			for (int c = 0; c < 6; c++)
				shut |= closed[c] == d;
			if (!shut)
				s->days[s->ndays++] = d;
		}
	}
}

/* The school's policy: a template with the school's own name. */
static void
make_policy(const struct school *s, const char *dir, const char *kildwick, const char *russell)
{
	char path[64];
	snprintf(path, sizeof path, "%06d.policy", s->urn);
	FILE *f = create(dir, path);
	const char *template = s->kind == 0 ? kildwick : russell;
	if (s->kind == 2) {
		fprintf(f, secondary_policy, s->name);
	} else {
		/* Replace the text of the `policy "..."` line. */
		const char *at = strstr(template, "\npolicy \"");
		const char *end = at ? strchr(at + 9, '"') : NULL;
		if (!end) {
			fprintf(stderr, "gen_la: the template has no policy line\n");
			exit(1);
		}
		fprintf(f, "%.*s\npolicy \"%s%s", (int)(at - template), template, s->name, end);
	}
	finish(f, path);
}

/* One pupil line; `admitted` and `left` may be empty. */
static void
write_pupil(FILE *f, long id, int year, const char *admitted, const char *left)
{
	uint64_t rng = 0x9E3779B97F4A7C15u ^ (uint64_t)(id + 1) * 0x100000001B3u;
	const char *surname = surnames[below(&rng, sizeof surnames / sizeof *surnames)];
	const char *q = strchr(surname, ',') ? "\"" : "";
	fprintf(f, "A%012ld,%s%s%s,%s,%d-%02u-%02u,%d,%s,%s\n", id, q, surname, q,
	        forenames[below(&rng, sizeof forenames / sizeof *forenames)], 2024 - year - 5, 1 + below(&rng, 12),
	        1 + below(&rng, 28), year, admitted, left);
}

/* A pupil's marks on the school's days in [from, to]. The same pupil gets the
 * same absence level at both schools if they move. */
static void
write_marks(FILE *f, const struct school *s, long id, rt_date from, rt_date to, char *buf)
{
	uint64_t rng = 0xD1B54A32D192ED03u ^ (uint64_t)(id + 1) * 0x9E3779B97F4A7C15u;
	uint32_t kind = below(&rng, 100);
	unsigned absence = kind < 2 ? 250 + below(&rng, 150) : kind < 15 ? 50 + below(&rng, 40) : below(&rng, 30);
	rng ^= (uint64_t)s->urn;
	int streak = 0;
	char *p = buf;
	for (size_t d = 0; d < s->ndays; d++) {
		if (s->days[d] < from || s->days[d] > to)
			continue;
		char date[11];
		rt_date_format(s->days[d], date);
		for (int pm = 0; pm < 2; pm++) {
			p += sprintf(p, "A%012ld,%s,%s,", id, date, pm ? "PM" : "AM");
			p = put_mark(p, &rng, absence, pm, &streak);
		}
	}
	fwrite(buf, 1, (size_t)(p - buf), f);
}

struct la {
	const char *dir;
	struct school *schools;
	int n;
	long per;                 /* pupils per school */
};

/* Pupil j of school i moves to school i + 1 at Christmas when j % 100 == 50. */
static int
moves(long j)
{
	return j % 100 == 50;
}

static int
year_of(const struct school *s, long j)
{
	return s->kind == 2 ? 7 + (int)(j % 5) : (int)(j % 7);
}

static void
make_register(const struct la *la, int i, char *buf)
{
	const struct school *s = &la->schools[i], *prev = &la->schools[(i + la->n - 1) % la->n];
	char path[64];
	rt_date start = RT_DATE_MIN, end = RT_DATE_MAX, left, admitted;
	rt_date_parse(MOVE_LEFT, 10, &left);
	rt_date_parse(MOVE_ADMITTED, 10, &admitted);
	snprintf(path, sizeof path, "%06d/school.csv", s->urn);
	FILE *f = create(la->dir, path);
	fprintf(f, "urn,laestab,name,phase\n%06d,999%04d,%s,%s\n", s->urn, 2000 + i, s->name,
	        s->kind == 2 ? "secondary" : "primary");
	finish(f, path);
	snprintf(path, sizeof path, "%06d/pupils.csv", s->urn);
	FILE *pupils = create(la->dir, path);
	snprintf(path, sizeof path, "%06d/marks.csv", s->urn);
	FILE *marks = create(la->dir, path);
	fputs("upn,surname,forename,date_of_birth,year_group,admitted,left\n", pupils);
	fputs("upn,date,session,code,minutes_late,arrival\n", marks);
	for (long j = 0; j < la->per; j++) {
		long id = (long)i * la->per + j;
		write_pupil(pupils, id, year_of(s, j), "2024-09-03", moves(j) ? MOVE_LEFT : "");
		write_marks(marks, s, id, start, moves(j) ? left : end, buf);
	}
	for (long j = 0; j < la->per; j++) {
		if (!moves(j))
			continue;
		long id = (long)((i + la->n - 1) % la->n) * la->per + j;
		write_pupil(pupils, id, year_of(prev, j) < 7 && s->kind == 2 ? 7 : year_of(prev, j), MOVE_ADMITTED, "");
		write_marks(marks, s, id, admitted, end, buf);
	}
	finish(pupils, "pupils.csv");
	finish(marks, "marks.csv");
}

int
main(int argc, char **argv)
{
	gen_name = "gen_la";
	if (argc < 2 || argc > 4) {
		fprintf(stderr, "usage: gen_la DIR [SCHOOLS] [PUPILS]\n");
		return 2;
	}
	struct la la = { .dir = argv[1], .n = argc > 2 ? atoi(argv[2]) : 150 };
	long pupils = argc > 3 ? strtol(argv[3], NULL, 10) : 60000;
	if (la.n < 2 || la.n > 9999 || pupils < la.n || pupils > 10000000) {
		fprintf(stderr, "gen_la: SCHOOLS must be 2 to 9999 and PUPILS at least SCHOOLS\n");
		return 2;
	}
	la.per = pupils / la.n;
	size_t klen, rlen;
	char *kildwick = base_read_file("policies/kildwick.policy", 0, &klen);
	char *russell = base_read_file("policies/russell-street.policy", 0, &rlen);
	la.schools = calloc((size_t)la.n, sizeof *la.schools);
	char *buf = malloc(1 << 20);
	if (!kildwick || !russell || !la.schools || !buf) {
		fprintf(stderr, "gen_la: run from the repository root (it reads policies/)\n");
		return 1;
	}
	FILE *manifest = create(la.dir, "la.csv");
	fputs("urn,policy,register,name\n", manifest);
	for (int i = 0; i < la.n; i++) {
		struct school *s = &la.schools[i];
		s->urn = 300001 + i;
		s->kind = i % 3;
		snprintf(s->name, sizeof s->name, "%s School %d", s->kind == 2 ? "Secondary" : "Primary", i + 1);
		char dir[64];
		snprintf(dir, sizeof dir, "%s/%06d", la.dir, s->urn);
		mkdir(dir, 0777);
		make_calendar(s, la.dir);
		make_policy(s, la.dir, kildwick, russell);
		fprintf(manifest, "%06d,%06d.policy,%06d.db,%s\n", s->urn, s->urn, s->urn, s->name);
	}
	finish(manifest, "la.csv");
	for (int i = 0; i < la.n; i++)
		make_register(&la, i, buf);
	free(buf);
	free(la.schools);
	free(kildwick);
	free(russell);
	return 0;
}

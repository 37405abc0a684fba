/*
 * The DfE Common Transfer File (docs/import.md): what the streaming reader
 * (store_import_ctf.c) collects for one pupil, and the decoding of its
 * attendance strings (store_ctf_marks.c).
 */
#ifndef REG_CTF_H
#define REG_CTF_H

#include "runtime/register/store_impl.h"

#define REG_CTF_MAX_YEARS 16      /* YearData blocks kept per pupil */

/* Pupil/Attendance/YearData. Totals are -1 when the file leaves them out. */
struct reg_ctf_year {
	long line;                /* of <YearData> */
	int year;                 /* the calendar year the academic year starts in; -1 when missing */
	char lea[8], estab[8];
	long possible, attended, authorised, unauthorised;
	long totals_line[4];      /* of each total, for the warning */
	int nsessions;            /* AttendSessions blocks (more than one is refused) */
	rt_date start;            /* AttendanceStartDate; 0 when missing */
	int have_start;
	long start_line;
	char *marks;              /* AttendanceMarks (owned); NULL when missing */
	long marks_line;
};

struct reg_ctf_pupil {
	long line;                /* of <Pupil> */
	char upn[32], surname[128], forename[128], dob[16], year_group[8];
	struct reg_ctf_year years[REG_CTF_MAX_YEARS];
	int nyears;
};

/* Checks one YearData's marks string and adds its marks to the writer; warns
 * (on imp->diag) when the file's totals disagree with the marks. */
void reg_ctf_year_marks(struct reg_importer *imp, struct reg_marks *m, const struct reg_ctf_pupil *p,
                        const struct reg_ctf_year *y);

#endif

/*
 * The Common Transfer File importer (libxml2's reader, the AttendanceMarks
 * strings) on any file (import_check.c): all or nothing, pupil_marks in step.
 * The calendar is the one tests/import/data/small.ctf.xml, the seed, was made for.
 */
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_import_check(data, size, "kind,start,end,session,name\n"
	                              "half_term,2023-09-04,2023-10-20,,Autumn 1\nhalf_term,2023-10-30,2023-12-20,,Autumn 2\n"
	                              "half_term,2024-01-04,2024-02-09,,Spring 1\nhalf_term,2024-02-19,2024-03-28,,Spring 2\n"
	                              "half_term,2024-04-15,2024-05-24,,Summer 1\nhalf_term,2024-06-03,2024-07-18,,Summer 2\n"
	                              "half_term,2024-09-02,2024-10-25,,Autumn 1\nclosure,2024-09-02,2024-09-03,,INSET day\n"
	                              "closure,2024-05-06,2024-05-06,,Bank holiday\n");
	return 0;
}

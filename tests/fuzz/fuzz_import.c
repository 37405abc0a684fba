/* The CSV importer on any file (import_check.c): all or nothing, pupil_marks in step. */
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_import_check(data, size, "kind,start,end,session,name\nhalf_term,2024-09-02,2024-10-25,,Autumn 1\n"
	                              "half_term,2024-11-04,2024-12-20,,Autumn 2\nclosure,2024-09-02,,,INSET\n");
	return 0;
}

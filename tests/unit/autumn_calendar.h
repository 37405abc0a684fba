/* Shared by the import unit tests: a calendar CSV of the autumn term 2024, with an INSET
 * day on its first day and the morning of 5 November closed. */
#ifndef AUTUMN_CALENDAR_H
#define AUTUMN_CALENDAR_H

static const char calendar_csv[] =
	"kind,start,end,session,name\n"
	"half_term,2024-09-02,2024-10-25,,Autumn 1\n"
	"half_term,2024-11-04,2024-12-20,,Autumn 2\n"
	"closure,2024-09-02,,,INSET day\n"
	"closure,2024-11-05,,AM,polling station\n";

#endif

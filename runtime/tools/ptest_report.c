/*
 * `attend test --junit FILE`: the results as JUnit XML, which CI services
 * show as a table of tests (one suite per test file, one case per test, a
 * failure or an error with the findings' text). Written with libxml2's
 * writer, so that every name and message is escaped as XML needs.
 */
#include "runtime/tools/policytest.h"

#include <libxml/xmlwriter.h>
#include <string.h>

static int
attr_count(xmlTextWriterPtr w, const char *name, size_t n)
{
	return xmlTextWriterWriteFormatAttribute(w, BAD_CAST name, "%zu", n) < 0;
}

/* The failure or error of one test: its first finding as the message, all of them as the text. */
static int
write_problem(xmlTextWriterPtr w, const struct tool_ptest_result *r, const struct base_findings *findings)
{
	const struct base_finding *first = r->n ? &findings->items[r->first] : NULL;
	int bad = xmlTextWriterStartElement(w, BAD_CAST(r->outcome == TOOL_PT_FAILED ? "failure" : "error")) < 0;
	if (first) {
		bad |= xmlTextWriterWriteAttribute(w, BAD_CAST "message", BAD_CAST first->message) < 0;
		bad |= xmlTextWriterWriteAttribute(w, BAD_CAST "type", BAD_CAST first->rule) < 0;
	}
	for (size_t i = 0; i < r->n; i++) {
		const struct base_finding *f = &findings->items[r->first + i];
		bad |= xmlTextWriterWriteFormatString(w, "%s%s:%u: %s [%s]", i ? "\n" : "", f->file ? f->file : "",
		                                      f->line, f->message, f->rule) < 0;
	}
	return bad | (xmlTextWriterEndElement(w) < 0);
}

static int
write_case(xmlTextWriterPtr w, const struct tool_ptest_result *r, const struct base_findings *findings)
{
	int bad = xmlTextWriterStartElement(w, BAD_CAST "testcase") < 0;
	bad |= xmlTextWriterWriteAttribute(w, BAD_CAST "name", BAD_CAST r->name) < 0;
	bad |= xmlTextWriterWriteAttribute(w, BAD_CAST "classname", BAD_CAST r->file) < 0;
	bad |= xmlTextWriterWriteAttribute(w, BAD_CAST "file", BAD_CAST r->file) < 0;
	bad |= xmlTextWriterWriteFormatAttribute(w, BAD_CAST "line", "%u", r->line) < 0;
	if (r->outcome != TOOL_PT_PASSED)
		bad |= write_problem(w, r, findings);
	return bad | (xmlTextWriterEndElement(w) < 0);
}

/* One suite: the results from `from` that share its file; returns where the next suite starts. */
static size_t
write_suite(xmlTextWriterPtr w, const struct tool_ptest_totals *t, size_t from, const struct base_findings *findings,
            int *bad)
{
	size_t to = from, failures = 0, errors = 0;
	while (to < t->nresults && strcmp(t->results[to].file, t->results[from].file) == 0) {
		failures += t->results[to].outcome == TOOL_PT_FAILED;
		errors += t->results[to].outcome == TOOL_PT_ERROR;
		to++;
	}
	*bad |= xmlTextWriterStartElement(w, BAD_CAST "testsuite") < 0;
	*bad |= xmlTextWriterWriteAttribute(w, BAD_CAST "name", BAD_CAST t->results[from].file) < 0;
	*bad |= attr_count(w, "tests", to - from) | attr_count(w, "failures", failures) | attr_count(w, "errors", errors);
	for (size_t i = from; i < to; i++)
		*bad |= write_case(w, &t->results[i], findings);
	*bad |= xmlTextWriterEndElement(w) < 0;
	return to;
}

int
tool_ptest_junit(const struct tool_ptest_totals *t, const struct base_findings *findings, FILE *out)
{
	xmlBufferPtr buf = xmlBufferCreate();
	xmlTextWriterPtr w = buf ? xmlNewTextWriterMemory(buf, 0) : NULL;
	if (!w) {
		xmlBufferFree(buf);
		return -1;
	}
	xmlTextWriterSetIndent(w, 1);
	int bad = xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL) < 0;
	bad |= xmlTextWriterStartElement(w, BAD_CAST "testsuites") < 0;
	bad |= xmlTextWriterWriteAttribute(w, BAD_CAST "name", BAD_CAST "attend test") < 0;
	size_t errors = 0;
	for (size_t i = 0; i < t->nresults; i++)
		errors += t->results[i].outcome == TOOL_PT_ERROR;
	bad |= attr_count(w, "tests", t->tests) | attr_count(w, "failures", t->failed - errors) |
	       attr_count(w, "errors", errors);
	for (size_t i = 0; i < t->nresults && !bad;)
		i = write_suite(w, t, i, findings, &bad);
	bad |= xmlTextWriterEndDocument(w) < 0;
	xmlFreeTextWriter(w);
	if (!bad)
		fwrite(xmlBufferContent(buf), 1, (size_t)xmlBufferLength(buf), out);
	xmlBufferFree(buf);
	return bad ? -1 : 0;
}

/*
 * runtime/base: what every other part shares and that knows nothing of
 * attendance. Findings (findings.h: diagnostics in text, JSON, SARIF and
 * GitHub form, for the compiler and the tools alike) and small text helpers
 * (text.h: JSON strings, whole-file reads, source lines); checked output
 * (output.h: a full disk is an error).
 *
 * Prefix base_. Depends on nothing else in the project.
 */
#ifndef BASE_BASE_H
#define BASE_BASE_H

#include "runtime/base/findings.h"
#include "runtime/base/output.h"
#include "runtime/base/text.h"

#endif

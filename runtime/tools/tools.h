/*
 * runtime/tools: what policy authors, local authorities and CI run on
 * policies: a school's own policy tests (policytest.h), validation against
 * the statutory baseline (validate.h), and the impact of a change on a
 * register (diff.h). Each reports through base/findings.h.
 *
 * Prefix tool_. The top layer: depends on engine/, register/, machine/, base/.
 */
#ifndef TOOL_TOOLS_H
#define TOOL_TOOLS_H

#include "runtime/tools/diff.h"
#include "runtime/tools/policytest.h"
#include "runtime/tools/validate.h"

#endif

/*
 * runtime/machine: a compiled policy and the machine that runs it.
 *
 * The program model (program.h: flat tables and a code array, the whole
 * interface between the compiler and the runtime), the one opcode table
 * (opcodes.def, which feeds the VM, the verifier, the disassembler and
 * docs/bytecode.md), the .apc file with its verifier and disassembler
 * (bytecode.h), the VM and its native register measures (eval.h,
 * measures.h), dates (date.h) and the school calendar (calendar.h).
 *
 * Prefix rt_. Depends on base/ only; lang/ builds on it.
 */
#ifndef RT_MACHINE_H
#define RT_MACHINE_H

#include "runtime/machine/bytecode.h"
#include "runtime/machine/calendar.h"
#include "runtime/machine/date.h"
#include "runtime/machine/eval.h"
#include "runtime/machine/opcodes.h"
#include "runtime/machine/program.h"

#endif

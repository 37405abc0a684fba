/* Opcodes and their metadata, expanded from opcodes.def. */
#ifndef RT_OPCODES_H
#define RT_OPCODES_H

#include <stdint.h>
#include <stdio.h>

/* What an instruction's 32-bit operand refers to; the verifier range-checks it. */
enum rt_operand_kind {
	RT_OPND_NONE,     /* no operand; must be 0 */
	RT_OPND_CONST,    /* index into the constant pool */
	RT_OPND_MEASURE,  /* index into the measure table */
	RT_OPND_SCHEDULE, /* index into the schedule table */
	RT_OPND_RULE,     /* index into the rule table */
	RT_OPND_LABEL,    /* index into the string table */
	RT_OPND_JUMP,     /* instruction index, strictly greater than this one */
	RT_OPND_RANGE,    /* index into the table of date ranges */
	RT_OPND_YEARS     /* a range of year groups, packed (years.h): not an index */
};

enum rt_opcode {
#define OP(name, opnd, in, out, synopsis) RT_OP_##name,
#include "runtime/machine/opcodes.def"
#undef OP
	RT_OP__COUNT
};

struct rt_opcode_info {
	const char *name;              /* mnemonic, as the disassembler prints it */
	enum rt_operand_kind operand;  /* what the operand indexes */
	uint8_t stack_in;              /* values popped (fall-through path) */
	uint8_t stack_out;             /* values pushed (fall-through path) */
	const char *synopsis;          /* one line for docs and --help */
};

extern const struct rt_opcode_info rt_opcode_table[RT_OP__COUNT];

const char *rt_operand_kind_name(enum rt_operand_kind kind);

/* The comparison opcodes as symbols ("<", "<=", ..., "!="); "?" for any other. */
const char *rt_opcode_symbol(int op);

/* One line per opcode: name, operand kind, stack effect, synopsis. */
void rt_opcodes_print(FILE *out);

#endif

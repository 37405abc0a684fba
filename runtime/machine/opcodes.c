#include "runtime/machine/opcodes.h"

const struct rt_opcode_info rt_opcode_table[RT_OP__COUNT] = {
#define OP(name, opnd, in, out, synopsis) [RT_OP_##name] = { #name, opnd, in, out, synopsis },
#include "runtime/machine/opcodes.def"
#undef OP
};

const char *
rt_operand_kind_name(enum rt_operand_kind kind)
{
	switch (kind) {
	case RT_OPND_NONE: return "none";
	case RT_OPND_CONST: return "constant";
	case RT_OPND_MEASURE: return "measure";
	case RT_OPND_SCHEDULE: return "schedule";
	case RT_OPND_RULE: return "rule";
	case RT_OPND_LABEL: return "label";
	case RT_OPND_JUMP: return "jump";
	case RT_OPND_RANGE: return "range";
	case RT_OPND_YEARS: return "years";
	}
	return "?";
}

void
rt_opcodes_print(FILE *out)
{
	for (int op = 0; op < RT_OP__COUNT; op++) {
		const struct rt_opcode_info *o = &rt_opcode_table[op];
		fprintf(out, "%-10s %-9s %u->%u  %s\n", o->name, rt_operand_kind_name(o->operand), o->stack_in,
		        o->stack_out, o->synopsis);
	}
}

const char *
rt_opcode_symbol(int op)
{
	switch (op) {
	case RT_OP_LT: return "<";
	case RT_OP_LE: return "<=";
	case RT_OP_GT: return ">";
	case RT_OP_GE: return ">=";
	case RT_OP_EQ: return "=";
	case RT_OP_NE: return "!=";
	}
	return "?";
}

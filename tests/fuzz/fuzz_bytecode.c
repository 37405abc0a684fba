/*
 * The bytecode loader, verifier and VM. The first byte picks the mode:
 * even, the rest is a .apc file to load; odd, the rest mutates the operands
 * of a valid program (Russell Street's, compiled once), so that programs the
 * verifier accepts reach the VM, which must then evaluate without a crash.
 * Either way a program that loads or verifies is run on a pupil whose marks
 * come from the input.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "lang/lang.h"
#include "runtime/machine/bytecode.h"
#include "runtime/machine/eval.h"

static uint8_t *seed;
static size_t nseed;

static void
compile_seed(void)
{
	static const char *const dirs[] = { "policies" };
	struct lang_options opt = { dirs, 1, fuzz_devnull(), 0, 0 };
	struct rt_program *p = NULL;
	if (lang_compile_file("policies/russell-street.policy", &opt, &p) || rt_bytecode_encode(p, &seed, &nseed))
		fuzz_fail("cannot compile the seed policy", "policies/russell-street.policy (run from the repository)");
	rt_program_free(p);
}

static void
evaluate(const struct rt_program *p, const uint8_t *data, size_t size)
{
	const struct rt_calendar *cal = fuzz_calendar();
	uint8_t marks[120];
	for (size_t i = 0; i < sizeof marks; i++) {
		uint8_t b = size ? data[i % size] : 0;
		marks[i] = p->ncodes && b % 8 ? (uint8_t)(b % p->ncodes) : RT_NO_MARK;
	}
	struct rt_eval ev;
	if (rt_eval_init(&ev, p, cal))
		return;
	for (size_t d = 0; d < cal->ndays; d += 13)
		rt_eval_pupil(&ev, marks, cal->days[d].date);
	rt_eval_free(&ev);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (!seed)
		compile_seed();
	struct rt_program *p = NULL;
	char err[256];
	if (!(data[0] & 1)) {
		if (rt_bytecode_decode(data + 1, size - 1, &p, err, sizeof err) == 0)
			evaluate(p, data, size);
		rt_program_free(p);
		return 0;
	}
	if (rt_bytecode_decode(seed, nseed, &p, err, sizeof err))
		fuzz_fail("the seed program does not load", err);
	/* Each 3 bytes: an instruction and a new operand (small, so often in range). */
	for (size_t i = 1; i + 2 < size && p->ncode; i += 3) {
		struct rt_instr *in = &p->code[((size_t)data[i] << 8 | data[i + 1]) % p->ncode];
		in->operand = data[i + 2] < 0xf0 ? data[i + 2] : UINT32_MAX - (0xffu - data[i + 2]);
	}
	if (rt_verify(p, err, sizeof err) == 0)
		evaluate(p, data, size);
	rt_program_free(p);
	return 0;
}

/* The compiler on any bytes: it reports errors or yields a program that
 * verifies and survives the bytecode round trip. */
#include <stdlib.h>

#include "fuzz.h"
#include "lang/lang.h"
#include "runtime/machine/bytecode.h"
#include "runtime/machine/eval.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const dirs[] = { "policies" };
	struct lang_options opt = { dirs, 1, fuzz_devnull(), 0, 0 };
	struct rt_program *p = NULL;
	int errors = lang_compile_string("fuzz.policy", (const char *)data, size, &opt, &p);
	char err[256];
	if (errors == 0 && p) {
		if (rt_verify(p, err, sizeof err))
			fuzz_fail("compiled code fails verification", err);
		uint8_t *buf;
		size_t len;
		struct rt_program *q = NULL;
		if (rt_bytecode_encode(p, &buf, &len) == 0) {
			if (rt_bytecode_decode(buf, len, &q, err, sizeof err))
				fuzz_fail("compiled code does not load back", err);
			rt_program_free(q);
			free(buf);
		}
	}
	rt_program_free(p);
	return 0;
}

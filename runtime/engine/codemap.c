#include "runtime/engine/codemap.h"

#include <string.h>

/* Store code ids that the policy does not define translate to this; a run
 * refuses to start if any exist, so it never reaches the VM. */
#define UNMAPPED 254

int
eng_map_codes(const struct rt_program *prog, const char *which, struct reg_store *store, char **names, size_t n,
              uint8_t xlat[256], FILE *diag)
{
	int missing = 0;
	memset(xlat, RT_NO_MARK, 256);
	for (size_t id = 1; id < n && id < 256; id++) {
		if (!names[id])
			continue;
		int code = rt_program_find_code(prog, names[id]);
		/* The dictionary keeps every code ever imported; one that an amendment has
		 * since replaced everywhere does not stop a run (rarely asked: only for
		 * codes the policy lacks). */
		if (code < 0 && reg_code_in_use(store, names[id]) == 0)
			continue;
		if (code < 0) {
			fprintf(diag, "attend: the register uses code \"%s\", which %s does not define "
			              "(map it with `code \"%s\" maps to \"...\"`)\n", names[id], which, names[id]);
			xlat[id] = UNMAPPED;
			missing++;
		} else {
			xlat[id] = (uint8_t)code;
		}
	}
	return missing;
}

int
eng_load_code_map(const struct rt_program *prog, struct reg_store *store, uint8_t xlat[256], FILE *diag)
{
	char **names = NULL;
	size_t nnames = 0;
	if (reg_codes(store, &names, &nnames)) {
		fprintf(diag, "attend: %s\n", reg_error(store));
		return -1;
	}
	int missing = eng_map_codes(prog, "the policy", store, names, nnames, xlat, diag);
	reg_free_codes(names, nnames);
	return missing;
}

uint8_t
eng_translate_marks(const uint8_t xlat[256], const uint8_t *flags, const uint8_t *stored, size_t nstored,
                    uint8_t *marks, size_t nsessions)
{
	size_t have = nstored < nsessions ? nstored : nsessions;
	uint8_t seen = 0;
	/* xlat[0] (no mark) is RT_NO_MARK, so one lookup per session, no branch */
	if (flags) {
		for (size_t i = 0; i < have; i++) {
			uint8_t c = xlat[stored[i]];
			marks[i] = c;
			seen |= flags[c];
		}
	} else {
		for (size_t i = 0; i < have; i++)
			marks[i] = xlat[stored[i]];
	}
	memset(marks + have, RT_NO_MARK, nsessions - have);
	return seen;
}

/* Shared by the unit tests: removes a scratch directory made with mkdtemp, failing the test when it cannot. */
#ifndef SCRATCH_DIR_H
#define SCRATCH_DIR_H

#include <stdio.h>
#include <stdlib.h>

static inline void
remove_scratch_dir(const char *dir)
{
	char cmd[256];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

#endif

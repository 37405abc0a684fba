/*
 * Runs files through a fuzz target without libFuzzer: `make test` replays
 * the seed and regression corpus (tests/fuzz/corpus, tests/fuzz/regressions)
 * with any C compiler. Arguments are files or folders of files.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"
#include "runtime/base/text.h"

static long runs;

static void
replay_file(const char *path)
{
	size_t len;
	char *data = base_read_file(path, 0, &len);
	if (!data) {
		perror(path);
		exit(2);
	}
	LLVMFuzzerTestOneInput((const uint8_t *)data, len);
	free(data);
	runs++;
}

static void
replay(const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return;                 /* an empty corpus folder is not kept by git */
	if (!S_ISDIR(st.st_mode)) {
		replay_file(path);
		return;
	}
	struct dirent **names;
	int n = scandir(path, &names, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.') {
			char full[4096];
			snprintf(full, sizeof full, "%s/%s", path, names[i]->d_name);
			replay_file(full);
		}
		free(names[i]);
	}
	free(names);
}

int
main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		replay(argv[i]);
	printf("%s: %ld inputs replayed\n", argv[0], runs);
	return 0;
}

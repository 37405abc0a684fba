#include "runtime/base/output.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

int
base_output_close(FILE *f)
{
	/* A write that failed earlier leaves the error flag set and an empty
	 * buffer, so the final flush alone would succeed; its errno is long gone
	 * (0: the caller says "a write failed"). */
	int failed = ferror(f), saved = 0;
	if (fflush(f) != 0 && !failed) {
		failed = 1;
		saved = errno;
	}
	if (f != stdout && f != stderr && fclose(f) != 0 && !failed) {
		failed = 1;
		saved = errno;
	}
	if (!failed)
		return 0;
	/* stdout stays open for the final check in main: this failure is
	 * reported once, by whoever gets -1 here. */
	if (f == stdout || f == stderr)
		clearerr(f);
	errno = saved;
	return -1;
}

const char *
base_output_name(int fd, const char *fallback, char *buf, size_t size)
{
	char link[64];
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	ssize_t n = size ? readlink(link, buf, size - 1) : -1;
	if (n <= 0 || buf[0] != '/')
		return fallback;
	buf[n] = 0;
	return buf;
}

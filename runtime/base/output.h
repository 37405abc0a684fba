/* Output that is known to have arrived: every report, letter and compiled
 * file is closed through here, so that a full disk is an error, never a
 * silent loss. */
#ifndef BASE_OUTPUT_H
#define BASE_OUTPUT_H

#include <stdio.h>

/* Flushes f and checks that no write to it failed (ferror), then closes it
 * (stdout and stderr are only flushed). 0, or -1 with errno set (0 when
 * the failed write was earlier and its reason is lost); f is closed either way. */
int base_output_close(FILE *f);

/* The name of what file descriptor fd writes to (a redirected stdout:
 * "/dev/full", "report.txt"), or `fallback`. */
const char *base_output_name(int fd, const char *fallback, char *buf, size_t size);

#endif

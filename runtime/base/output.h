/* Output that is known to have arrived: every report, letter and compiled
 * file is closed through here, so that a full disk is an error, never a
 * silent loss. */
#ifndef BASE_OUTPUT_H
#define BASE_OUTPUT_H

#include <stdio.h>

/* Flushes f and checks that no write to it failed (ferror), then closes it
 * (stdout and stderr are only flushed). 0, or -1 with errno set (0 when
 * the failed write was earlier and its reason is lost, which a stream from
 * base_output_fd never loses); f is closed either way. */
int base_output_close(FILE *f);

/* A stream writing to file descriptor fd (taken over: closed with the stream) that
 * remembers why its first write failed, so that base_output_close reports the real
 * error ("No space left on device") even when the failing write was long before the
 * close. NULL with errno set when it cannot be made (fd is then closed). */
FILE *base_output_fd(int fd);
/* The same for a file created (or truncated) at path. */
FILE *base_output_open(const char *path);

/* The name of what file descriptor fd writes to (a redirected stdout:
 * "/dev/full", "report.txt"), or `fallback`. */
const char *base_output_name(int fd, const char *fallback, char *buf, size_t size);

#endif

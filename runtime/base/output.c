#include "runtime/base/output.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* The file descriptor under a base_output_fd stream, and the first write error. */
struct sink {
	int fd;
	int err;
};

static ssize_t
sink_write(void *cookie, const char *buf, size_t n)
{
	struct sink *s = cookie;
	size_t done = 0;
	while (done < n) {
		ssize_t w = write(s->fd, buf + done, n - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (!s->err)
				s->err = w < 0 ? errno : EIO;
			return -1;
		}
		done += (size_t)w;
	}
	return (ssize_t)n;
}

/* Fails with the first write error, if there was one: fclose then reports it. */
static int
sink_close(void *cookie)
{
	struct sink *s = cookie;
	int err = s->err;
	if (close(s->fd) != 0 && !err)
		err = errno;
	free(s);
	errno = err;
	return err ? -1 : 0;
}

FILE *
base_output_fd(int fd)
{
	struct sink *s = fd < 0 ? NULL : malloc(sizeof *s);
	FILE *f = NULL;
	if (s) {
		*s = (struct sink){ fd, 0 };
		f = fopencookie(s, "w", (cookie_io_functions_t){ .write = sink_write, .close = sink_close });
	}
	if (!f) {
		int saved = s || fd < 0 ? errno : ENOMEM;
		free(s);
		if (fd >= 0)
			close(fd);
		errno = saved;
	}
	return f;
}

FILE *
base_output_open(const char *path)
{
	return base_output_fd(open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666));
}

int
base_output_close(FILE *f)
{
	/* A write that failed earlier leaves the error flag set and an empty
	 * buffer, so the final flush alone would succeed and its errno is long
	 * gone (0: the caller says "a write failed"), unless the stream is a
	 * base_output_fd one, whose close gives it back. */
	int failed = ferror(f), saved = 0;
	if (fflush(f) != 0 && !failed) {
		failed = 1;
		saved = errno;
	}
	if (f != stdout && f != stderr && fclose(f) != 0) {
		saved = failed && saved ? saved : errno;
		failed = 1;
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

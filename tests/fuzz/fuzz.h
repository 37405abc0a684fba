/*
 * The fuzz targets (tests/fuzz/fuzz_*.c): each defines LLVMFuzzerTestOneInput.
 * `make fuzz` links them with clang's libFuzzer; `make test` links them with
 * replay_main.c and runs the seed and regression corpus through them.
 * A target aborts when an invariant breaks, so that both report it.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "runtime/machine/calendar.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* /dev/null, for the diagnostics no one reads. */
FILE *fuzz_devnull(void);

/* A calendar of 60 school days from Monday 2 September 2024, one half term. */
const struct rt_calendar *fuzz_calendar(void);

/* Imports data into a scratch register (made on the first call, with this calendar
 * and two pupils) and aborts unless a failed import left it as it was and
 * pupil_marks agrees with marks (import_check.c). */
void fuzz_import_check(const uint8_t *data, size_t size, const char *calendar_csv);

/* Prints what broke and aborts. */
void fuzz_fail(const char *what, const char *detail) __attribute__((noreturn));

#endif

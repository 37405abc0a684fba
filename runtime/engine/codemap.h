/*
 * From the register's code ids to the policy's code indexes: the register
 * keeps a dictionary of every code it has seen, the policy its own table.
 * Shared by the evaluation loop and replay.
 */
#ifndef ENG_CODEMAP_H
#define ENG_CODEMAP_H

#include <stdint.h>
#include <stdio.h>

#include "runtime/machine/program.h"
#include "runtime/register/store.h"

/* Builds store-id -> policy-index, reporting on diag every code in use in the
 * register that the policy (named `which` in the message: "the policy", "the
 * new policy") does not define. Returns how many it lacks. */
int eng_map_codes(const struct rt_program *prog, const char *which, struct reg_store *store, char **names, size_t n,
                  uint8_t xlat[256], FILE *diag);

/* The same, reading the register's dictionary itself. -1 on a store failure
 * (reported), else how many codes the policy lacks. */
int eng_load_code_map(const struct rt_program *prog, struct reg_store *store, uint8_t xlat[256], FILE *diag);

/* A pupil's stored marks as policy codes, RT_NO_MARK past what is stored.
 * Returns the OR of flags[] over the codes met (flags may be NULL). */
uint8_t eng_translate_marks(const uint8_t xlat[256], const uint8_t *flags, const uint8_t *stored, size_t nstored,
                            uint8_t *marks, size_t nsessions);

#endif

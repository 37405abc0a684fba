/*
 * The .apc file: a compiled policy at rest (docs/bytecode.md). Only
 * bytecode.c knows the byte layout; everything else uses struct rt_program.
 * Loading always verifies (verify.c) before returning a program.
 */
#ifndef RT_BYTECODE_H
#define RT_BYTECODE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "runtime/machine/program.h"

#define RT_BYTECODE_MAGIC "\x89" "APC\r\n\x1a\n" /* 8 bytes: non-ASCII first byte, line-ending probe */
#define RT_BYTECODE_VERSION_MAJOR 2
#define RT_BYTECODE_VERSION_MINOR 4 /* 2.4: lets with dated values (CHOOSE); 2.3: pupil groups (IN_YEARS; register times per group in sections "group sessions" and "group arrival rules", written only when a policy has them); 2.2: the notice to improve (measures counted since a rule, a rule reading its own recorded start); 2.1: longest runs and maxima over windows (new measure kind and periods); 2.0: dated rules (IN_FORCE, the date ranges table), the file of every
                                       declaration's line, register session lines; 1.x files are refused */

/* CRC-32 (IEEE 802.3, as zlib's crc32) of buf[0..len): what the end section holds
 * for the bytes before it. */
uint32_t rt_bytecode_checksum(const uint8_t *buf, size_t len);

/* Serialises p into a malloc'd buffer. 0 on success. */
int rt_bytecode_encode(const struct rt_program *p, uint8_t **buf, size_t *len);
/* Writes p to path. 0 on success, else -1 with a message in err. */
int rt_bytecode_save(const struct rt_program *p, const char *path, char *err, size_t errsz);

/* Parses and verifies. 0 on success; -1 with err set ("truncated string table", ...). */
int rt_bytecode_decode(const uint8_t *buf, size_t len, struct rt_program **out, char *err, size_t errsz);
/* Reads, parses and verifies a file; err names the file. */
int rt_bytecode_load(const char *path, struct rt_program **out, char *err, size_t errsz);

/* Checks everything the VM relies on (verify.c). 0 if sound, else -1 with err. */
int rt_verify(const struct rt_program *p, char *err, size_t errsz);

/* Prints a listing of every table and instruction (disasm.c). */
void rt_disasm(const struct rt_program *p, FILE *out);

/* Prints the opcode table as a Markdown table (for docs/bytecode.md). */
void rt_opcodes_markdown(FILE *out);

#endif

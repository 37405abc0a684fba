/*
 * One option parser for every command. Each command has a table of its
 * options; the same table parses argv (over getopt_long), prints
 * `attend CMD --help`, writes the man page's OPTIONS section and the bash and
 * zsh completion. Adding an option is one table entry (docs/architecture.md).
 */
#ifndef CLI_OPTIONS_H
#define CLI_OPTIONS_H

#include <stddef.h>
#include <stdio.h>

enum cli_option_kind {
	CLI_OPT_VALUE,   /* --name ARG: stores the const char * argument */
	CLI_OPT_FLAG,    /* --name: stores int 1 */
	CLI_OPT_INCLUDE  /* -I DIR: appends to a struct cli_includes */
};

struct cli_option {
	const char *name;      /* long name without the dashes, or NULL for a short option alone */
	int short_name;        /* its letter, or 0 */
	const char *arg;       /* the argument's name in help ("DB", "DATE", "DIR"); NULL for a flag */
	size_t offset;         /* where in the command's values struct the value goes */
	const char *help;      /* one line; NULL: a synonym, parsed but not listed */
	const char *choices;   /* "text|json|csv": the only values accepted, and completed */
	enum cli_option_kind kind;
};

/* Table entries, one line each. TYPE is the command's values struct. */
#define CLI_VALUE(LONG, SHORT, ARG, TYPE, FIELD, HELP) \
	{ LONG, SHORT, ARG, offsetof(TYPE, FIELD), HELP, NULL, CLI_OPT_VALUE }
#define CLI_CHOICE(LONG, ARG, CHOICES, TYPE, FIELD, HELP) \
	{ LONG, 0, ARG, offsetof(TYPE, FIELD), HELP, CHOICES, CLI_OPT_VALUE }
#define CLI_FLAG(LONG, SHORT, TYPE, FIELD, HELP) \
	{ LONG, SHORT, NULL, offsetof(TYPE, FIELD), HELP, NULL, CLI_OPT_FLAG }
#define CLI_SYNONYM(LONG, ARG, TYPE, FIELD) \
	{ LONG, 0, ARG, offsetof(TYPE, FIELD), NULL, NULL, CLI_OPT_VALUE }
#define CLI_INCLUDES(TYPE, FIELD)                                                          \
	{ NULL, 'I', "DIR", offsetof(TYPE, FIELD),                                          \
	  "look for the policies named by `builds on` in DIR too (repeatable)", NULL, CLI_OPT_INCLUDE }
#define CLI_END { NULL, 0, NULL, 0, NULL, NULL, 0 }

struct cli_command {
	const char *name;                  /* "run"; a subcommand's full name: "notice issue" */
	int (*run)(int argc, char **argv); /* argv[0] is the command's (last) name */
	const char *operands;              /* "POLICY", "DB FILE..." */
	const char *summary;               /* one line for `attend --help` */
	const struct cli_option *options;  /* ends with CLI_END; NULL: none */
	const char *findings;              /* when it exits 1; NULL: it never does */
	const struct cli_command *const *subcommands; /* NULL-terminated; then run is NULL */
};

/* The entries of a table before CLI_END (0 for NULL). */
size_t cli_option_count(const struct cli_option *options);

/* Returned by cli_parse when --help was asked for: the command returns it and
 * main exits 0. */
enum { CLI_HELP = 3 };

/* Parses argv (argv[0] the command) into values by cmd's table. Operands are
 * left at argv[*first..argc) (getopt_long order). Returns CLI_OK, CLI_HELP
 * (help printed on stdout) or CLI_USAGE (one line on stderr). */
int cli_parse(const struct cli_command *cmd, int argc, char **argv, void *values, int *first);

/* Runs a command, or for a group (notice) the subcommand argv[1] names. */
int cli_dispatch(const struct cli_command *cmd, int argc, char **argv);

/* A command's own help: usage, options, exit statuses. */
void cli_command_help(const struct cli_command *cmd, FILE *out);

/* Whether to colour what goes to file descriptor fd: --color, then NO_COLOR,
 * TERM=dumb, and whether fd is a terminal. */
int cli_color(int fd);

/* The command table (main.c), NULL-terminated. */
extern const struct cli_command *const cli_commands[];

/* Generated from the tables: the man page's OPTIONS section, and completion
 * scripts for "bash" or "zsh". */
void cli_write_man_options(FILE *out);
int cli_write_completion(const char *shell, FILE *out);

#endif

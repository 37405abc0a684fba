/* Help and the man page's OPTIONS section, from the commands' option tables. */
#include <string.h>

#include "cli.h"

static const char color_help[] = "colour diagnostics: auto (on a terminal, unless NO_COLOR is set or TERM=dumb), "
                                 "always or never";

static const char exit_usage[] = "a usage error, a file that cannot be read or written, or bytecode that fails "
                                 "verification";

/* "-o, --output FILE", "    --db DB", "-I DIR", "    --format text|json|csv". */
static int
write_label(const struct cli_option *o, FILE *out)
{
	int n = 0;
	if (o->short_name)
		n += fprintf(out, "-%c%s", o->short_name, o->name ? ", " : "");
	else
		n += fprintf(out, "    ");
	if (o->name)
		n += fprintf(out, "--%s", o->name);
	if (o->arg)
		n += fprintf(out, " %s", o->choices ? o->choices : o->arg);
	return n;
}

/* Writes text from column col, wrapped before column 80, continuing at column indent. */
static void
write_wrapped(FILE *out, const char *text, int col, int indent)
{
	while (*text) {
		size_t word = strcspn(text, " ");
		if (col > indent && col + 1 + (int)word > 79) {
			fprintf(out, "\n%*s", indent, "");
			col = indent;
		} else if (col > indent) {
			fputc(' ', out);
			col++;
		}
		fprintf(out, "%.*s", (int)word, text);
		col += (int)word;
		text += word;
		text += strspn(text, " ");
	}
	fputc('\n', out);
}

enum { HELP_COLUMN = 28 };

static void
write_option_help(FILE *out, int label_width, const char *help)
{
	if (label_width + 2 >= HELP_COLUMN - 1) {
		fprintf(out, "\n%*s", HELP_COLUMN, "");
		write_wrapped(out, help, HELP_COLUMN, HELP_COLUMN);
	} else {
		fprintf(out, "%*s", HELP_COLUMN - 2 - label_width, "");
		write_wrapped(out, help, HELP_COLUMN, HELP_COLUMN);
	}
}

void
cli_command_help(const struct cli_command *cmd, FILE *out)
{
	if (cmd->subcommands) {
		fprintf(out, "usage: attend %s SUBCOMMAND [OPTION]... [ARG]...\n%s\n\nSubcommands:\n", cmd->name,
		        cmd->summary);
		for (const struct cli_command *const *s = cmd->subcommands; *s; s++)
			fprintf(out, "  attend %s %s\n      %s\n", (*s)->name, (*s)->operands, (*s)->summary);
		fprintf(out, "\n'attend %s SUBCOMMAND --help' gives a subcommand's options.\n", cmd->name);
		return;
	}
	fprintf(out, "usage: attend %s [OPTION]... %s\n%s\n\nOptions:\n", cmd->name, cmd->operands, cmd->summary);
	for (size_t i = 0, n = cli_option_count(cmd->options); i < n; i++) {
		const struct cli_option *o = &cmd->options[i];
		if (!o->help)
			continue;
		fputs("  ", out);
		write_option_help(out, write_label(o, out), o->help);
	}
	fputs("  -h, --help", out);
	write_option_help(out, 10, "print this help and exit");
	fputs("      --color auto|always|never", out);
	write_option_help(out, 30, color_help);
	fputs("\nExit status:\n  0  success: nothing found\n", out);
	if (cmd->findings) {
		fputs("  1  ", out);
		write_wrapped(out, cmd->findings, 5, 5);
	}
	fputs("  2  ", out);
	write_wrapped(out, exit_usage, 5, 5);
}

/* Text for troff: a backslash doubled, a leading dot or quote guarded, dashes as \-. */
static void
man_text(const char *s, FILE *out)
{
	if (*s == '.' || *s == '\'')
		fputs("\\&", out);
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\e", out);
		else if (*s == '-')
			fputs("\\-", out);
		else
			fputc(*s, out);
	}
}

static void
man_command(const struct cli_command *cmd, FILE *out)
{
	fputs(".SS \"attend ", out);
	man_text(cmd->name, out);
	fputs("\"\n.B attend ", out);
	man_text(cmd->name, out);
	fputs("\n.RI [ OPTION ]...\n", out);
	fprintf(out, ".I \"");
	man_text(cmd->operands, out);
	fputs("\"\n.br\n", out);
	man_text(cmd->summary, out);
	fputc('\n', out);
	for (size_t i = 0, n = cli_option_count(cmd->options); i < n; i++) {
		const struct cli_option *o = &cmd->options[i];
		if (!o->help)
			continue;
		fputs(o->arg ? ".TP\n.BI \"" : ".TP\n.B \"", out);
		if (o->short_name)
			fprintf(out, "\\-%c%s", o->short_name, o->name ? ", " : "");
		if (o->name) {
			fputs("\\-\\-", out);
			man_text(o->name, out);
		}
		if (o->arg) {
			fputs(" \" \"", out);
			man_text(o->choices ? o->choices : o->arg, out);
		}
		fputs("\"\n", out);
		man_text(o->help, out);
		fputc('\n', out);
	}
	if (cmd->findings) {
		fputs(".TP\n.B \"exit 1\"\n", out);
		man_text(cmd->findings, out);
		fputc('\n', out);
	}
}

void
cli_write_man_options(FILE *out)
{
	fputs(".SH OPTIONS OF EACH COMMAND\n"
	      "Generated from the option tables in cli/ (make docs); the same tables give\n"
	      ".B attend\n.I COMMAND\n.BR \\-\\-help .\n"
	      "Every command also takes\n.B \\-h, \\-\\-help\n(print its help, exit 0) and\n"
	      ".B \\-\\-color auto\\fR|\\fBalways\\fR|\\fBnever\n(",
	      out);
	man_text(color_help, out);
	fputs(").\n", out);
	for (const struct cli_command *const *c = cli_commands; *c; c++) {
		if (!(*c)->subcommands) {
			man_command(*c, out);
			continue;
		}
		for (const struct cli_command *const *s = (*c)->subcommands; *s; s++)
			man_command(*s, out);
	}
}

static const struct cli_command *
find_command(const struct cli_command *const *list, const char *name)
{
	for (; *list; list++) {
		const char *last = strrchr((*list)->name, ' ');
		if (strcmp(last ? last + 1 : (*list)->name, name) == 0)
			return *list;
	}
	return NULL;
}

int
cli_dispatch(const struct cli_command *cmd, int argc, char **argv)
{
	if (!cmd->subcommands)
		return cmd->run(argc, argv);
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		cli_command_help(cmd, stdout);
		return CLI_HELP;
	}
	const struct cli_command *sub = argc >= 2 ? find_command(cmd->subcommands, argv[1]) : NULL;
	if (!sub) {
		fprintf(stderr, "attend: %s: ", cmd->name);
		if (argc < 2)
			fputs("say which subcommand:", stderr);
		else
			fprintf(stderr, "unknown subcommand \"%s\":", argv[1]);
		for (const struct cli_command *const *s = cmd->subcommands; *s; s++)
			fprintf(stderr, " %s", strrchr((*s)->name, ' ') + 1);
		fprintf(stderr, " (attend %s --help)\n", cmd->name);
		return CLI_USAGE;
	}
	return cli_dispatch(sub, argc - 1, argv + 1);
}

/* The option parser every command uses: its table over getopt_long. */
#include "options.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/* --color, for the whole process: -1 auto, 0 never, 1 always. */
static int color_choice = -1;

/* Options every command has, after its own. */
enum { OPT_HELP = 'h', OPT_COLOR = 1000, OPT_BASE = 1001 };

int
cli_color(int fd)
{
	if (color_choice >= 0)
		return color_choice;
	const char *no = getenv("NO_COLOR"), *term = getenv("TERM");
	if ((no && *no) || (term && strcmp(term, "dumb") == 0))
		return 0;
	return isatty(fd);
}

size_t
cli_option_count(const struct cli_option *o)
{
	size_t n = 0;
	while (o && (o[n].name || o[n].short_name))
		n++;
	return n;
}

/* "text|json|csv" -> whether value is one of them. */
static int
is_choice(const char *choices, const char *value)
{
	size_t n = strlen(value);
	for (const char *p = choices; *p;) {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);
		if (len == n && strncmp(p, value, n) == 0)
			return 1;
		p += len + (bar != NULL);
	}
	return 0;
}

/* "text|json|csv" -> "text, json or csv". */
static void
write_choices(FILE *out, const char *choices)
{
	for (const char *p = choices; *p;) {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);
		fprintf(out, "%.*s", (int)len, p);
		p += len + (bar != NULL);
		if (bar)
			fputs(strchr(p, '|') ? ", " : " or ", out);
	}
}

static void
option_label(const struct cli_option *o, char *buf, size_t size)
{
	if (o->name)
		snprintf(buf, size, "--%s", o->name);
	else
		snprintf(buf, size, "-%c", o->short_name);
}

/* One line on stderr for a bad option: no second line from getopt. */
static int
option_error(const struct cli_command *cmd, const char *fmt, const char *what)
{
	fprintf(stderr, "attend: %s: ", cmd->name);
	fprintf(stderr, fmt, what);
	fprintf(stderr, " (attend %s --help lists the options)\n", cmd->name);
	return CLI_USAGE;
}

static int
store_option(const struct cli_command *cmd, const struct cli_option *o, void *values, char *arg)
{
	char *field = (char *)values + o->offset;
	switch (o->kind) {
	case CLI_OPT_FLAG: *(int *)field = 1; break;
	case CLI_OPT_INCLUDE: cli_include_add((struct cli_includes *)field, arg); break;
	case CLI_OPT_VALUE:
		if (o->choices && !is_choice(o->choices, arg)) {
			char label[64];
			option_label(o, label, sizeof label);
			fprintf(stderr, "attend: %s: %s is ", cmd->name, label);
			write_choices(stderr, o->choices);
			fprintf(stderr, ", not \"%s\"\n", arg);
			return CLI_USAGE;
		}
		*(const char **)field = arg;
		break;
	}
	return CLI_OK;
}

static int
set_color(const struct cli_command *cmd, const char *arg)
{
	static const char *const names[] = { "never", "always", "auto" };
	for (int i = 0; i < 3; i++)
		if (strcmp(arg, names[i]) == 0) {
			color_choice = i < 2 ? i : -1;
			return CLI_OK;
		}
	fprintf(stderr, "attend: %s: --color is auto, always or never, not \"%s\"\n", cmd->name, arg);
	return CLI_USAGE;
}

/* getopt_long's tables for cmd: long options numbered OPT_BASE + index, short ones by letter. */
static struct option *
getopt_tables(const struct cli_command *cmd, char *shorts)
{
	size_t n = cli_option_count(cmd->options), k = 0, s = 0;
	struct option *longs = calloc(n + 3, sizeof *longs);
	if (!longs)
		return NULL;
	shorts[s++] = ':'; /* a missing argument is ':', not '?' */
	for (size_t i = 0; i < n; i++) {
		const struct cli_option *o = &cmd->options[i];
		if (o->name)
			longs[k++] = (struct option){ o->name, o->arg ? required_argument : no_argument, NULL,
				                      (int)(OPT_BASE + i) };
		if (o->short_name) {
			shorts[s++] = (char)o->short_name;
			if (o->arg)
				shorts[s++] = ':';
		}
	}
	shorts[s++] = 'h';
	shorts[s] = 0;
	longs[k++] = (struct option){ "help", no_argument, NULL, OPT_HELP };
	longs[k++] = (struct option){ "color", required_argument, NULL, OPT_COLOR };
	return longs;
}

static const struct cli_option *
find_short(const struct cli_command *cmd, int letter)
{
	for (size_t i = 0, n = cli_option_count(cmd->options); i < n; i++)
		if (cmd->options[i].short_name == letter)
			return &cmd->options[i];
	return NULL;
}

/* The option getopt could not take, as the user typed it. */
static const char *
bad_option(char **argv, char *buf, size_t size)
{
	if (optopt && optopt < 256) {
		snprintf(buf, size, "-%c", optopt);
		return buf;
	}
	const char *arg = argv[optind - 1];
	const char *eq = strchr(arg, '=');
	snprintf(buf, size, "%.*s", eq ? (int)(eq - arg) : (int)strlen(arg), arg);
	return buf;
}

int
cli_parse(const struct cli_command *cmd, int argc, char **argv, void *values, int *first)
{
	char shorts[128], buf[256];
	struct option *longs = getopt_tables(cmd, shorts);
	if (!longs) {
		fputs("attend: out of memory\n", stderr);
		return CLI_USAGE;
	}
	int opt, rc = CLI_OK;
	optind = 0; /* 0, not 1: glibc then starts afresh (a previous command may have parsed) */
	opterr = 0;
	while (rc == CLI_OK && (opt = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
		const struct cli_option *o = NULL;
		if (opt == OPT_HELP) {
			cli_command_help(cmd, stdout);
			rc = CLI_HELP;
		} else if (opt == OPT_COLOR) {
			rc = set_color(cmd, optarg);
		} else if (opt == '?') {
			rc = option_error(cmd, "unknown option %s", bad_option(argv, buf, sizeof buf));
		} else if (opt == ':') {
			rc = option_error(cmd, "%s needs an argument", bad_option(argv, buf, sizeof buf));
		} else {
			o = opt >= OPT_BASE ? &cmd->options[opt - OPT_BASE] : find_short(cmd, opt);
			rc = store_option(cmd, o, values, optarg);
		}
	}
	free(longs);
	*first = optind;
	return rc;
}

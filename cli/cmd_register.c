/* init, import, check-register: commands on the register alone. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "runtime/base/output.h"
#include "runtime/register/store.h"

struct register_args {
	struct cli_includes inc;
	const char *policy;
	const char *encoding, *date_format, *columns;
	int amend;
	const char *reason, *by, *on, *school, *jobs;
};

static int
run_init(int argc, char **argv)
{
	int first, rc = cli_parse(&cli_init_command, argc, argv, NULL, &first);
	if (rc != CLI_OK)
		return rc;
	if (first != argc - 1)
		return cli_usage_error("init: give the database file to create");
	struct reg_store *s;
	rc = cli_open_store(argv[first], REG_CREATE, &s);
	reg_close(s);
	return rc;
}

const struct cli_command cli_init_command = {
	"init", run_init, "DB", "create an empty register database", NULL, NULL, NULL,
};

static const struct cli_option import_options[] = {
	CLI_INCLUDES(struct register_args, inc),
	CLI_SCHOOL(struct register_args, school),
	CLI_VALUE("policy", 0, "POLICY", struct register_args, policy,
	          "refuse marks with a code the policy does not define"),
	CLI_CHOICE("encoding", "ENC", "windows-1252|cp1252|latin-1|iso-8859-1|utf-8", struct register_args, encoding,
	           "the text encoding of the CSV files (default: they must be UTF-8); converted with iconv"),
	CLI_CHOICE("date-format", "FORM", "dd/mm/yyyy|yyyy-mm-dd", struct register_args, date_format,
	           "accept only this form of date (default: either; a date with slashes is day first)"),
	CLI_VALUE("columns", 0, "MAP", struct register_args, columns,
	          "rename an export's columns: FROM=TO,... (TO - ignores one), or a file of such lines"),
	CLI_FLAG("amend", 0, struct register_args, amend,
	         "record a mark whose code changed as an amendment (else the file is refused)"),
	CLI_VALUE("reason", 0, "TEXT", struct register_args, reason, "the amendments' reason (with --amend)"),
	CLI_VALUE("by", 0, "NAME", struct register_args, by, "who made the amendments (with --amend)"),
	CLI_VALUE("on", 0, "DATE", struct register_args, on, "the day the amendments are made (default today)"),
	CLI_VALUE("jobs", 0, "N", struct register_args, jobs,
	          "with 2 or more, marks are written on a second thread while the file is read and checked (default"
	          " $ATTEND_JOBS, else one per processor); the same register and messages for any N"),
	CLI_END,
};

/* The summary line: marks say what was new, unchanged, amended and refused. */
static void
report_imported(const char *path, const struct reg_import_stats *st)
{
	const char *kind = st->kind ? st->kind : "";
	if (strcmp(kind, "ctf") == 0)
		fprintf(stderr, "%s: imported a CTF: %ld pupils; marks: %ld new, %ld unchanged, %ld amended, %ld refused\n",
		        path, st->pupils, st->rows, st->unchanged, st->amended, st->refused);
	else if (strcmp(kind, "marks") == 0)
		fprintf(stderr, "%s: imported marks: %ld new, %ld unchanged, %ld amended, %ld refused\n", path, st->rows,
		        st->unchanged, st->amended, st->refused);
	else
		fprintf(stderr, "%s: imported %ld %s rows\n", path, st->rows, kind);
}

/* Standard input into a temporary file: an import reads its file more than once (its kind, then
 * its rows; marks twice). The file's name in messages stays "-". */
static int
stdin_to_file(char *path, size_t size)
{
	const char *dir = getenv("TMPDIR");
	snprintf(path, size, "%s/attend-stdin-XXXXXX", dir && *dir ? dir : "/tmp");
	int fd = mkstemp(path);
	FILE *f = fd < 0 ? NULL : fdopen(fd, "wb");
	if (!f) {
		fprintf(stderr, "attend: import: cannot keep standard input in %s: %s\n", path, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(path);
		}
		return -1;
	}
	char buf[65536];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, stdin)) > 0)
		fwrite(buf, 1, n, f);
	if (ferror(stdin) || base_output_close(f) != 0) {
		fprintf(stderr, "attend: import: cannot keep standard input in %s: %s\n", path,
		        errno ? strerror(errno) : "a read or write failed");
		unlink(path);
		return -1;
	}
	return 0;
}

/* One file, or standard input for "-". reg_import_with's result; -1 (reported) when stdin cannot be kept. */
static int
import_one(struct reg_store *s, const char *path, struct reg_import_options *opt, struct reg_import_stats *st)
{
	if (strcmp(path, "-") != 0)
		return reg_import_with(s, path, opt, stderr, st);
	char tmp[4096];
	if (stdin_to_file(tmp, sizeof tmp))
		return -2;
	opt->name = "-";
	int rc = reg_import_with(s, tmp, opt, stderr, st);
	opt->name = NULL;
	unlink(tmp);
	return rc;
}

static int
run_import(int argc, char **argv)
{
	struct register_args a = { 0 };
	int first, parsed = cli_parse(&cli_import_command, argc, argv, &a, &first);
	if (parsed != CLI_OK)
		return parsed;
	const char *policy = a.policy;
	struct cli_includes inc = a.inc;
	struct reg_import_options opt = { a.encoding, a.date_format, a.columns, a.amend, a.reason, a.by, 0, NULL, 1 };
	if (argc - first < 2)
		return cli_usage_error("import: give the database and at least one file");
	int stdin_files = 0;
	for (int i = first + 1; i < argc; i++)
		stdin_files += strcmp(argv[i], "-") == 0;
	if (stdin_files > 1)
		return cli_usage_error("import: standard input (-) can be read once");
	if (a.amend && (!a.reason || !*a.reason || !a.by || !*a.by))
		return cli_usage_error("import: --amend needs --reason TEXT and --by NAME");
	if (cli_parse_date(a.on, &opt.on))
		return cli_usage_error("import: --on: \"%s\" is not a date (YYYY-MM-DD)", a.on);
	int jobs_rc = a.jobs ? cli_parse_jobs("--jobs", a.jobs, &opt.jobs) : cli_default_jobs(&opt.jobs);
	if (jobs_rc != CLI_OK)
		return jobs_rc;
	cli_include_finish(&inc);
	struct reg_store *s = NULL;
	struct rt_program *p = NULL;
	int status = policy ? cli_load_policy(policy, &inc, &p) : CLI_OK;
	if (status == CLI_OK)
		status = cli_open_store(argv[first], 0, &s);
	/* Checked file by file: a school file in the same command may add the school. */
	if (status == CLI_OK && reg_use_school(s, a.school)) {
		fprintf(stderr, "attend: %s\n", reg_error(s));
		reg_close(s);
		status = CLI_USAGE;
	}
	/* A policy that does not compile, or a register that will not open, imports nothing. */
	if (status != CLI_OK) {
		rt_program_free(p);
		cli_include_free(&inc);
		return status;
	}
	/* With a policy, a mark whose code it does not define is refused at import. */
	if (p) {
		const char **codes = malloc((p->ncodes + 1) * sizeof *codes);
		for (size_t i = 0; codes && i < p->ncodes; i++)
			codes[i] = rt_program_str(p, p->codes[i].name);
		if (!codes || reg_set_known_codes(s, codes, p->ncodes)) {
			fprintf(stderr, "attend: out of memory\n");
			status = CLI_USAGE;
		}
		free(codes);
	}
	for (int i = first + 1; status != CLI_USAGE && i < argc; i++) {
		struct reg_import_stats st = { 0 };
		int rc = import_one(s, argv[i], &opt, &st);
		if (rc == -2) {
			status = CLI_USAGE;
		} else if (rc == 0) {
			report_imported(argv[i], &st);
		} else if (rc > 0) {
			fprintf(stderr, "%s: %ld problem%s; nothing imported from this file", argv[i], st.errors,
			        st.errors == 1 ? "" : "s");
			if (st.refused)
				fprintf(stderr, " (%ld mark%s changed)", st.refused, st.refused == 1 ? "" : "s");
			fputc('\n', stderr);
			if (status < CLI_FINDINGS)
				status = CLI_FINDINGS;
		} else {
			fprintf(stderr, "attend: %s: %s\n", argv[i], reg_error(s));
			status = CLI_USAGE;
		}
	}
	reg_close(s);
	rt_program_free(p);
	cli_include_free(&inc);
	return status;
}

const struct cli_command cli_import_command = {
	"import", run_import, "DB FILE...",
	"import CSV (marks, pupils, calendar, term dates, closures, parents, school; a register grid) or a DfE "
	"Common Transfer File; one transaction per file, nothing written on error; marks already there are "
	"skipped, changed ones refused unless --amend (docs/import.md)",
	import_options, "a file rejected (each problem reported with its file, line and field)", NULL,
};

/* check-register [--repair] DB: every mark against the compact copy that runs read. */
struct check_register_values {
	int repair;
};

static const struct cli_option check_register_options[] = {
	CLI_FLAG("repair", 0, struct check_register_values, repair, "rebuild the compact copy from the marks"),
	CLI_END,
};

static int
run_check_register(int argc, char **argv)
{
	struct check_register_values v = { 0 };
	int first, rc = cli_parse(&cli_check_register_command, argc, argv, &v, &first);
	if (rc != CLI_OK)
		return rc;
	if (first != argc - 1)
		return cli_usage_error("check-register: give exactly one register");
	const char *db = argv[first];
	struct reg_store *s = NULL;
	rc = cli_open_store(db, REG_UNCHECKED, &s);
	long differences = 0;
	if (rc == CLI_OK && (v.repair ? reg_repair_blobs(s) : reg_check_blobs(s, stdout, &differences))) {
		fprintf(stderr, "attend: %s\n", reg_error(s));
		rc = CLI_USAGE;
	}
	if (rc == CLI_OK && v.repair)
		printf("%s: pupil_marks and pupil_timed rebuilt from marks\n", db);
	else if (rc == CLI_OK)
		printf("%s: %ld difference%s between marks and its copies (pupil_marks, pupil_timed)\n", db, differences,
		       differences == 1 ? "" : "s");
	reg_close(s);
	return rc == CLI_OK && differences ? CLI_FINDINGS : rc;
}

const struct cli_command cli_check_register_command = {
	"check-register", run_check_register, "DB",
	"compare every mark with the compact copy runs read, listing each difference; --repair rebuilds it",
	check_register_options, "a mark differs from the compact copy (each listed)", NULL,
};

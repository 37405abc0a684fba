# attend: policy compiler, bytecode VM and register store.
#
#   make            build build/attend
#   make test       build and run every test, then again under ASan+UBSan
#   make bench      the 100,000-pupil and local authority benchmarks (not part of make test)
#   make fuzz       the libFuzzer targets with clang, FUZZ_SECONDS each (docs/testing.md)
#   make docs       regenerate the generated part of docs/bytecode.md
#
# Sources are found by folder, so adding a file needs no change here.
# Generated parser and scanner go to $(BUILD)/gen, never into the tree.

BUILD    ?= build
CC       ?= cc
BISON    ?= bison
FLEX     ?= flex
OPT      ?= -O2
SAN      ?=
WARN     = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
CFLAGS   ?= $(OPT) -g
# libxml2 reads the Common Transfer File (runtime/register/store_import_ctf.c).
XML_CFLAGS := $(shell pkg-config --cflags libxml-2.0 2>/dev/null || echo -I/usr/include/libxml2)
XML_LIBS   := $(shell pkg-config --libs libxml-2.0 2>/dev/null || echo -lxml2)
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(SAN) -I. -I$(BUILD)/gen $(XML_CFLAGS)
LDLIBS   = -lsqlite3 $(XML_LIBS) -lm -lpthread
PREFIX   ?= /usr/local
# Where the documentation is read: SARIF's informationUri and helpUri point into it.
# `make install` puts it here; a published copy: make DOCS_URL=https://.../attend/
DOCS_URL ?= file://$(PREFIX)/share/doc/attend/
ALL_CFLAGS += -DBASE_DOCS_URL='"$(DOCS_URL)"'

LANG_SRC    = $(wildcard lang/*.c)
RUNTIME_SRC = $(wildcard runtime/*/*.c)
CLI_SRC     = $(wildcard cli/*.c)
GEN_SRC     = $(BUILD)/gen/lang/parser.c $(BUILD)/gen/lang/lexer.c
LIB_OBJ     = $(LANG_SRC:%.c=$(BUILD)/%.o) $(RUNTIME_SRC:%.c=$(BUILD)/%.o) \
              $(BUILD)/gen/lang/parser.o $(BUILD)/gen/lang/lexer.o
CLI_OBJ     = $(CLI_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC    = $(wildcard tests/unit/test_*.c)
UNIT_BIN    = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
BENCH_SRC   = $(wildcard tests/bench/*.c)

.PHONY: all deps example test check-layers check-units check-golden check-regress check-fault check-fuzz-corpus fuzz test-asan bench docs clean install
.DELETE_ON_ERROR:

all: $(BUILD)/attend

$(BUILD)/attend: $(CLI_OBJ) $(BUILD)/libattend.a
	$(CC) $(ALL_CFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/libattend.a $(LDLIBS)

$(BUILD)/libattend.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

# The generated front end. lexer.o needs parser.h for the token numbers.
# One tool run makes both files; the header depends on the .c with an empty
# recipe, so that a parallel make never runs the same generator twice at once.
$(BUILD)/gen/lang/parser.c: lang/parser.y
	@mkdir -p $(@D)
	$(BISON) -Wall -Werror -d -o $(BUILD)/gen/lang/parser.c $<
$(BUILD)/gen/lang/parser.h: $(BUILD)/gen/lang/parser.c ;

$(BUILD)/gen/lang/lexer.c: lang/lexer.l $(BUILD)/gen/lang/parser.h
	@mkdir -p $(@D)
	$(FLEX) --header-file=$(BUILD)/gen/lang/lexer.h -o $(BUILD)/gen/lang/lexer.c $<
$(BUILD)/gen/lang/lexer.h: $(BUILD)/gen/lang/lexer.c ;

# Flex and bison output is not ours to fix: keep -Werror but drop the two
# warnings their skeletons trip.
$(BUILD)/gen/%.o: $(BUILD)/gen/%.c
	$(CC) $(ALL_CFLAGS) -Wno-unused-function -Wno-sign-compare -Wno-missing-prototypes -MMD -MP -c -o $@ $<

$(BUILD)/%.o: %.c | $(BUILD)/gen/lang/parser.h $(BUILD)/gen/lang/lexer.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libattend.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libattend.a -lcmocka $(LDLIBS)

# Installs flex, bison, SQLite and cmocka with apt-get when they are missing.
deps:
	@sh .ci/install-deps.sh

# The README's first command: the bundled example register under both school policies.
example: deps
	@$(MAKE) --no-print-directory all
	@sh examples/run.sh $(BUILD)/attend

# make test: every unit and golden test, then the same under sanitizers.
test: deps
	@tests/check-layers.sh
	@$(MAKE) --no-print-directory check-units check-golden check-regress check-fuzz-corpus check-examples
	@$(MAKE) --no-print-directory test-asan

# No include goes up a layer (docs/architecture.md).
check-layers:
	@tests/check-layers.sh

# The docs' own commands, run as written: the tutorial and the README's tour (tests/check-docs.sh),
# and the example CI workflow (tests/check-ci.sh). Once, not under the sanitizers: they run attend
# as a reader would.
check-examples: $(BUILD)/attend
	@tests/check-docs.sh $(BUILD)/attend
	@tests/check-ci.sh

check-units: $(UNIT_BIN)
	@tests/run-units.sh $(UNIT_BIN)

# The scenarios twice: one job and four give the same bytes.
check-golden: $(BUILD)/attend
	@ATTEND_JOBS=1 tests/run-golden.sh $(BUILD)/attend
	@ATTEND_JOBS=4 SCENARIOS_ONLY=1 tests/run-golden.sh $(BUILD)/attend
	@tests/run-cli.sh $(BUILD)/attend
	@tests/run-streams.sh $(BUILD)/attend
	@tests/import/run.sh $(BUILD)/attend

# Inputs that crashed or hung, generated at full size (tests/run-regress.sh); hostile SQL,
# locks and crashed writers against the register (tests/run-hostile.sh); failed allocations
# and writes (tests/run-fault.sh).
check-regress: $(BUILD)/attend check-fault
	@SANITIZED="$(SAN)" tests/run-regress.sh $(BUILD)/attend
	@tests/run-hostile.sh $(BUILD)/attend

# Fault injection (tests/run-fault.sh): the command line linked with a counting allocator
# (every allocator call in attend's code wrapped by the linker) and a VFS that fails writes.
FAULT_WRAP = -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strdup,--wrap=strndup \
             -Wl,--wrap=open_memstream,--wrap=vasprintf
FAULT_SRC  = $(wildcard tests/fault/*.c)

$(BUILD)/fault/attend: $(FAULT_SRC) tests/fault/fault.h $(CLI_OBJ) $(BUILD)/libattend.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(FAULT_WRAP) -o $@ $(FAULT_SRC) $(CLI_OBJ) $(BUILD)/libattend.a $(LDLIBS)

FAULT_MAX ?= 30
check-fault: $(BUILD)/fault/attend
	@FAULT_MAX=$(FAULT_MAX) tests/run-fault.sh $(BUILD)/fault/attend

test-asan:
	$(MAKE) --no-print-directory BUILD=$(BUILD)-asan OPT=-O1 \
	  SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	  check-units check-golden check-regress check-fuzz-corpus

# Fuzz targets (tests/fuzz/, docs/testing.md). make test replays the seed and
# regression corpus through each target with the ordinary compiler; make fuzz
# builds them with clang's libFuzzer and runs each for FUZZ_SECONDS.
FUZZ_TARGETS = compile bytecode import ctf
FUZZ_SECONDS ?= 60
FUZZ_COMMON  = tests/fuzz/fixture.c tests/fuzz/import_check.c

$(BUILD)/fuzz/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay_main.c $(FUZZ_COMMON) tests/fuzz/fuzz.h $(BUILD)/libattend.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests/fuzz -o $@ $(filter %.c,$^) $(BUILD)/libattend.a $(LDLIBS)

check-fuzz-corpus: $(FUZZ_TARGETS:%=$(BUILD)/fuzz/replay_%)
	@for t in $(FUZZ_TARGETS); do \
	  $(BUILD)/fuzz/replay_$$t tests/fuzz/corpus/$$t tests/fuzz/regressions/$$t >/dev/null || exit 1; done; \
	  echo "fuzz corpus: replayed through $(FUZZ_TARGETS)"

fuzz:
	$(MAKE) --no-print-directory BUILD=build-fuzz CC=clang OPT=-O1 WARN=-w \
	  SAN="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all" build-fuzz/libattend.a
	@for t in $(FUZZ_TARGETS); do \
	  clang -std=c11 -D_GNU_SOURCE -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	    -I. -Ibuild-fuzz/gen -Itests/fuzz -o build-fuzz/fuzz_$$t tests/fuzz/fuzz_$$t.c $(FUZZ_COMMON) \
	    build-fuzz/libattend.a $(LDLIBS) || exit 1; \
	  mkdir -p build-fuzz/corpus-$$t; \
	  build-fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -artifact_prefix=build-fuzz/crash-$$t- \
	    build-fuzz/corpus-$$t tests/fuzz/corpus/$$t $$(ls -d tests/fuzz/regressions/$$t 2>/dev/null) || exit 1; done

$(BUILD)/bench/%: tests/bench/%.c $(BUILD)/libattend.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libattend.a $(LDLIBS)

bench: $(BUILD)/attend $(BENCH_SRC:tests/bench/%.c=$(BUILD)/bench/%)
	tests/bench/run.sh $(BUILD)
	tests/bench/la.sh $(BUILD)

docs: $(BUILD)/attend
	tests/update-docs.sh $(BUILD)/attend

install: $(BUILD)/attend
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/attend/policies
	install -m 755 $(BUILD)/attend $(DESTDIR)$(PREFIX)/bin/attend
	install -m 644 policies/*.policy $(DESTDIR)$(PREFIX)/share/attend/policies/
	install -d $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/vim/vimfiles/syntax \
	  $(DESTDIR)$(PREFIX)/share/vim/vimfiles/ftdetect
	install -m 644 docs/attend.1 $(DESTDIR)$(PREFIX)/share/man/man1/attend.1
	install -d $(DESTDIR)$(PREFIX)/share/doc/attend/docs
	install -m 644 README.md $(DESTDIR)$(PREFIX)/share/doc/attend/README.md
	install -m 644 docs/*.md docs/*.png $(DESTDIR)$(PREFIX)/share/doc/attend/docs/
	install -m 644 editors/vim/syntax/attend.vim $(DESTDIR)$(PREFIX)/share/vim/vimfiles/syntax/attend.vim
	install -m 644 editors/vim/ftdetect/attend.vim $(DESTDIR)$(PREFIX)/share/vim/vimfiles/ftdetect/attend.vim
	install -d $(DESTDIR)$(PREFIX)/share/bash-completion/completions $(DESTDIR)$(PREFIX)/share/zsh/site-functions
	$(BUILD)/attend completion bash >$(DESTDIR)$(PREFIX)/share/bash-completion/completions/attend
	$(BUILD)/attend completion zsh >$(DESTDIR)$(PREFIX)/share/zsh/site-functions/_attend

clean:
	rm -rf build build-asan build-fuzz

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# fuzz.mk (included by the Makefile): the fuzz targets of tests/fuzz/, as replay programs in
# every build (make test replays the kept corpora) and as libFuzzer programs for `make fuzz`.

FUZZ_SRC     := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_NAMES   := $(FUZZ_SRC:tests/fuzz/fuzz_%.c=%)
FUZZ_SUPPORT := $(BUILD)/tests/fuzz/util.o
FUZZ_LINKED  := $(LIBFCGI) $(LIBCOMMON)
FUZZ_REPLAY  := $(FUZZ_NAMES:%=$(BUILD)/fuzz/replay_%)
FUZZ_BIN     := $(FUZZ_NAMES:%=$(BUILD)/fuzz/fuzz_%)
FUZZ_SECONDS ?= 60
# Targets left out of `make fuzz` while a finding waits for its fix (the input is kept in
# tests/fuzz/pending/NAME/; README "Runs and findings"); none now.
FUZZ_RUN_SKIP ?=

# The libFuzzer build (BUILD=build/libfuzzer, clang) instruments every object for coverage.
ifeq ($(FUZZ_LINK),1)
CFLAGS += -fsanitize=fuzzer-no-link
endif


$(BUILD)/fuzz/replay_%: $(BUILD)/tests/fuzz/fuzz_%.o $(BUILD)/tests/fuzz/replay.o $(FUZZ_SUPPORT) $(FUZZ_LINKED)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(BUILD)/tests/fuzz/replay.o $(FUZZ_SUPPORT) $(FUZZ_LINKED) $(LDLIBS)

$(BUILD)/fuzz/fuzz_%: $(BUILD)/tests/fuzz/fuzz_%.o $(FUZZ_SUPPORT) $(FUZZ_LINKED)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_SUPPORT) $(FUZZ_LINKED) $(LDLIBS)

.PHONY: fuzz fuzz-build fuzz-replay
fuzz-build:
	@$(MAKE) --no-print-directory BUILD=build/libfuzzer CC=clang SAN=1 FUZZ_LINK=1 \
		$(FUZZ_NAMES:%=build/libfuzzer/fuzz/fuzz_%)

# Each target in turn for FUZZ_SECONDS (one at a time: the machine is shared).
fuzz: fuzz-build
	@FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run.sh build/libfuzzer/fuzz $(filter-out $(FUZZ_RUN_SKIP),$(FUZZ_NAMES))

# The kept corpora through the sanitized replay programs, no fuzzing (part of make test).
fuzz-replay:
	@$(MAKE) --no-print-directory BUILD=build/asan SAN=1 $(FUZZ_NAMES:%=build/asan/fuzz/replay_%)
	@tests/fuzz/replay.sh build/asan/fuzz

-include $(FUZZ_SRC:%.c=$(BUILD)/%.d) $(BUILD)/tests/fuzz/replay.d $(BUILD)/tests/fuzz/util.d

# Makefile: builds the FastCGI program, the common/ library and the tests; drives the local stack.
# One non-recursive Makefile: every common/*.c goes into libcommon.a, every fcgi/*.c into the
# program, every tests/unit/test_*.c becomes one cmocka test binary.

BUILD    ?= build
CC       ?= cc
PKGS     := libpq hiredis libcurl json-c libargon2 zlib libutf8proc openssl libcrypt
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN     := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 \
            -Wvla -Wpointer-arith -Wundef -Wwrite-strings -Wdate-time -Werror
CSTD     := -std=c11 -D_GNU_SOURCE
OPT      ?= -O2 -g
HARDEN   := -fstack-protector-strong -fPIE
ifeq ($(SAN),)
HARDEN   += -D_FORTIFY_SOURCE=2
HARDEN_LD := -pie -Wl,-z,relro,-z,now
else
OPT      := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
HARDEN_LD := -pie -fsanitize=address,undefined
endif
CFLAGS   += $(CSTD) $(OPT) $(WARN) $(HARDEN) -MMD -MP -Icommon -Ifcgi $(PKG_CFLAGS)
LDLIBS   += $(PKG_LIBS) -lfcgi -lm -lpthread
LDFLAGS  += $(HARDEN_LD)

COMMON_SRC := $(sort $(wildcard common/*.c))
FCGI_SRC   := $(sort $(wildcard fcgi/*.c))
UNIT_SRC   := $(sort $(wildcard tests/unit/test_*.c))
COMMON_OBJ := $(COMMON_SRC:%.c=$(BUILD)/%.o)
FCGI_OBJ   := $(FCGI_SRC:%.c=$(BUILD)/%.o)
# Handlers are linked into unit tests too, without the program's main().
FCGI_LIBOBJ := $(filter-out $(BUILD)/fcgi/main.o,$(FCGI_OBJ))
UNIT_BIN   := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
LIBCOMMON  := $(BUILD)/libcommon.a
PROGRAM    := $(BUILD)/movies-fcgi
MINIMAL    := $(BUILD)/minimal-fcgi

# Objects of the test programs are kept, so a second make rebuilds nothing.
.SECONDARY:

.PHONY: all deps start stop run migrate test unit integration test-pgbouncer asan valgrind bench clean check-config
all: $(PROGRAM) $(LIBCOMMON) $(MINIMAL)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(LIBCOMMON): $(COMMON_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(PROGRAM): $(FCGI_OBJ) $(LIBCOMMON)
	$(CC) $(LDFLAGS) -o $@ $(FCGI_OBJ) $(LIBCOMMON) $(LDLIBS)

# The baseline responder the benchmarks compare against (tests/bench/minimal.c).
$(MINIMAL): $(BUILD)/tests/bench/minimal.o
	$(CC) $(LDFLAGS) -o $@ $^ -lfcgi

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(FCGI_LIBOBJ) $(LIBCOMMON)
	$(CC) $(LDFLAGS) -o $@ $< $(FCGI_LIBOBJ) $(LIBCOMMON) $(LDLIBS) -lcmocka

deps:
	@deploy/deps.sh

# Unit tests: pure code, no servers. Each binary prints cmocka's summary.
unit: $(UNIT_BIN)
	@tests/run-unit.sh $(UNIT_BIN)

# Everything: unit tests (plain and sanitized), then a private stack (own ports and state dir)
# running the sanitized program for the integration tests.
ASAN_UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=build/asan/tests/%)
test: deps all $(UNIT_BIN)
	@$(MAKE) --no-print-directory BUILD=build/asan SAN=1 all $(ASAN_UNIT_BIN)
	@tests/run-all.sh

integration: all
	@tests/run-integration.sh

# A good part of the integration suite with PgBouncer in transaction pooling mode between the
# workers (DB_PREPARED=0) and PostgreSQL, on a private stack of its own.
PGBOUNCER_TESTS := test_pgbouncer test_scale_out test_stack test_site test_api test_accounts test_django_interop test_cards test_movie_cache
test-pgbouncer: deps all
	@PGBOUNCER=1 TEST_STATE_DIR=$(CURDIR)/tests/output/stack-pgbouncer \
		TEST_FILES="$(PGBOUNCER_TESTS:%=tests/integration/%.py)" tests/run-integration.sh

start: all
	@deploy/stack.sh start

stop:
	@deploy/stack.sh stop

run: deps all
	@deploy/stack.sh run

migrate:
	@deploy/stack.sh migrate

check-config: all
	@deploy/stack.sh check-config

asan:
	@$(MAKE) --no-print-directory BUILD=build/asan SAN=1 all $(UNIT_SRC:tests/unit/%.c=build/asan/tests/%)
	@ASAN_OPTIONS=detect_leaks=1 tests/run-unit.sh $(UNIT_SRC:tests/unit/%.c=build/asan/tests/%)

valgrind: $(UNIT_BIN)
	@VALGRIND=1 tests/run-unit.sh $(UNIT_BIN)

bench: deps all
	@tests/bench/run.sh

clean:
	rm -rf build

-include $(COMMON_OBJ:.o=.d) $(FCGI_OBJ:.o=.d) $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/unit/%.d)

# Small programs the tests drive (tests/tools/NAME.c -> $(BUILD)/tools/NAME), linked with common/.
TOOL_SRC := $(sort $(wildcard tests/tools/*.c))
TOOL_BIN := $(TOOL_SRC:tests/tools/%.c=$(BUILD)/tools/%)
all: $(TOOL_BIN)
$(BUILD)/tools/%: $(BUILD)/tests/tools/%.o $(LIBCOMMON)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(LIBCOMMON) $(LDLIBS)
-include $(TOOL_SRC:%.c=$(BUILD)/%.d)

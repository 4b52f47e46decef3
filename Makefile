# The two commands: `make run` and `make test`. Everything else is a helper.
BUILD   ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS    ?= $(shell nproc)
RUN     ?= run
DATA    ?= $(RUN)/data
DNS     ?= 127.0.0.1:5300
SOAP    ?= 127.0.0.1:9200
METRICS ?= 127.0.0.1:9300

.PHONY: run test deps build quiet-build clean fuzz deb

deps:
	@scripts/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

# The build of `make run`: one line, the compiler's output in $(BUILD)/build.log (its tail on
# failure).
quiet-build: deps
	@echo "building switchboard in $(BUILD)/ (log: $(BUILD)/build.log)"
	@mkdir -p $(BUILD)
	@{ cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) && \
	   cmake --build $(BUILD) -j $(JOBS) --target switchboard; } >$(BUILD)/build.log 2>&1 || \
	 { tail -n 30 $(BUILD)/build.log; exit 1; }

# Serves from the build tree: a default config in $(RUN)/, the demo dataset on a fresh data dir
# (an existing one is kept), a banner of commands that work as shown. Ctrl-C stops.
run: quiet-build
	@scripts/run.sh $(BUILD) $(RUN) $(DATA) $(DNS) $(SOAP) $(METRICS)

# The Debian package, from a Release build: $(RELEASE)/switchboard_<version>_<arch>.deb.
RELEASE ?= build-release
deb: deps
	@cmake -S . -B $(RELEASE) -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build $(RELEASE) -j $(JOBS) --target switchboard sb_package_docs
	@cd $(RELEASE) && cpack -G DEB >/dev/null && ls $(CURDIR)/$(RELEASE)/switchboard_*.deb

ASAN    ?= build-asan
TSAN    ?= build-tsan
FUZZ    ?= build-fuzz
FUZZ_SECONDS ?= 600

# Every test in the release build, then again in an AddressSanitizer+UBSan build (STYLE §9),
# the store's tests (the writer thread), the provisioning services' (concurrent writers) and
# the SOAP server's (front, workers) under ThreadSanitizer, and the fuzzers briefly.
test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	@cmake -S . -B $(ASAN) -DCMAKE_BUILD_TYPE=Debug -DSB_SANITIZE=address,undefined >/dev/null
	@cmake --build $(ASAN) -j $(JOBS)
	@cd $(ASAN) && UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ctest --output-on-failure -j $(JOBS)
	@cmake -S . -B $(TSAN) -DCMAKE_BUILD_TYPE=Debug -DSB_SANITIZE=thread >/dev/null
	@cmake --build $(TSAN) -j $(JOBS) --target store_tests provisioning_tests prov_server_tests
	@TSAN_OPTIONS=halt_on_error=1 $(TSAN)/tests/store/store_tests
	@TSAN_OPTIONS=halt_on_error=1 $(TSAN)/tests/provisioning/provisioning_tests
	@TSAN_OPTIONS=halt_on_error=1 $(TSAN)/tests/provisioning/prov_server_tests
	@$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=20

# libFuzzer targets (clang, ASan+UBSan) for FUZZ_SECONDS each; `make test` runs them briefly.
fuzz: deps
	@CC=clang CXX=clang++ cmake -S . -B $(FUZZ) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSB_FUZZ=ON >/dev/null
	@cmake --build $(FUZZ) -j $(JOBS) --target fuzz_targets
	@scripts/fuzz.sh $(FUZZ) $(FUZZ_SECONDS)

clean:
	rm -rf $(BUILD) $(ASAN) $(TSAN) $(FUZZ) $(RELEASE) run

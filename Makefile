# The two commands: `make run` and `make test`. Everything else is a helper.
BUILD   ?= build
JOBS    ?= $(shell nproc)
DATA    ?= run/data
DNS     ?= 127.0.0.1:5300
SOAP    ?= 127.0.0.1:9200

.PHONY: run test deps build clean fuzz

deps:
	@scripts/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

run: build
	@rm -rf $(DATA) && mkdir -p $(DATA)
	@scripts/run-banner.sh $(BUILD) $(DATA) $(DNS) $(SOAP)
	exec $(BUILD)/app/switchboard serve --data $(DATA) --dns $(DNS) --soap $(SOAP)

ASAN    ?= build-asan
TSAN    ?= build-tsan
FUZZ    ?= build-fuzz
FUZZ_SECONDS ?= 600

# Every test in the release build, then again in an AddressSanitizer+UBSan build (STYLE §9),
# the store's tests (group commit: threads) and the SOAP server's (front, workers) under
# ThreadSanitizer, and the fuzzers briefly.
test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	@cmake -S . -B $(ASAN) -DCMAKE_BUILD_TYPE=Debug -DSB_SANITIZE=address,undefined >/dev/null
	@cmake --build $(ASAN) -j $(JOBS)
	@cd $(ASAN) && UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ctest --output-on-failure -j $(JOBS)
	@cmake -S . -B $(TSAN) -DCMAKE_BUILD_TYPE=Debug -DSB_SANITIZE=thread >/dev/null
	@cmake --build $(TSAN) -j $(JOBS) --target store_tests prov_server_tests
	@TSAN_OPTIONS=halt_on_error=1 $(TSAN)/tests/store/store_tests
	@TSAN_OPTIONS=halt_on_error=1 $(TSAN)/tests/provisioning/prov_server_tests
	@$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=20

# libFuzzer targets (clang, ASan+UBSan) for FUZZ_SECONDS each; `make test` runs them briefly.
fuzz: deps
	@CC=clang CXX=clang++ cmake -S . -B $(FUZZ) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSB_FUZZ=ON >/dev/null
	@cmake --build $(FUZZ) -j $(JOBS) --target fuzz_targets
	@scripts/fuzz.sh $(FUZZ) $(FUZZ_SECONDS)

clean:
	rm -rf $(BUILD) $(ASAN) $(TSAN) $(FUZZ) run

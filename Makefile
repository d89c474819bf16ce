# The two commands a newcomer needs (see README.md):
#   make run   — set up if needed, build in release, start finecliper
#   make test  — set up if needed, build, run every test
SWIFT ?= swift
ARGS ?=

.PHONY: run test setup build bench fuzz clean

setup:
	@scripts/setup

build: setup
	$(SWIFT) build -c release

run: build
	.build/release/finecliper $(ARGS)

# Tests run in release: debug Swift numeric loops are ~400x slower, and the tests exercise
# full-size shapes. @testable imports still work there.
test: setup
	$(SWIFT) build -c release
	$(SWIFT) test -c release

# libFuzzer targets for every parser of user files, SECONDS each (see scripts/fuzz).
SECONDS ?= 60
fuzz: setup
	scripts/fuzz $(SECONDS)

bench: build
	scripts/bench-tensor

clean:
	rm -rf .build

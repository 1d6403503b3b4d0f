# otelcol-pan — build, run and test the distribution.
# Everything it needs comes from the Go module proxy through tools/go.mod
# (ocb and mdatagen) and, for the syslog end-to-end test, Debian's rsyslog.

GO        ?= go
TOOL      := $(GO) tool -modfile=$(CURDIR)/tools/go.mod
DIST_DIR  := cmd/otelcol-pan
BIN       := bin/otelcol-pan
ALSGEN    := bin/alsgen
SAMPLES   ?= ../shared/testdata/als/skywalking
GOTESTFLAGS ?=
IMAGE     ?= otelcol-pan:0.1.0

# Our own sources and the Makefile (its flags shape the binary): a change to
# any of them rebuilds the distribution.
SOURCES := $(shell find receiver processor exporter internal -name '*.go' -not -name '*_test.go' 2>/dev/null) \
           Makefile go.mod go.sum builder-config.yaml $(DIST_DIR)/default_config.yaml $(DIST_DIR)/default_config.go \
           $(DIST_DIR)/run_others.go $(DIST_DIR)/run_windows.go

.PHONY: all build run demo test test-deps testbed bench generate lint fmt clean image

all: build

build: $(BIN) $(ALSGEN)

# ocb generates the distribution's sources and go.mod; we compile them
# ourselves because run_others.go and run_windows.go replace ocb's
# main_others.go and main_windows.go (they add the embedded default
# configuration). CGO_ENABLED=0 gives a static binary (Go's net package
# otherwise links libc), so it runs in an image without one.
$(BIN): $(SOURCES)
	$(TOOL) builder --config builder-config.yaml --skip-compilation
	rm -f $(DIST_DIR)/main_others.go $(DIST_DIR)/main_windows.go
	gofmt -w $(DIST_DIR)
	cd $(DIST_DIR) && CGO_ENABLED=0 $(GO) build -trimpath -ldflags="-s -w" -o ../../$(BIN) .

$(ALSGEN): $(shell find cmd/alsgen internal -name '*.go' -not -name '*_test.go') go.mod go.sum
	$(GO) build -trimpath -o $(ALSGEN) ./cmd/alsgen

# Starts the collector on its embedded default configuration.
run: $(BIN)
	./$(BIN)

# Starts the collector on its default and replays the sample mesh traffic into
# it: one prefixed JSON line per replayed entry appears on stdout.
demo: build
	@./$(BIN) & pid=$$!; \
	trap 'kill $$pid 2>/dev/null' EXIT INT TERM; \
	./$(ALSGEN) -wait 30s -replay $(SAMPLES) && sleep 2; \
	kill -TERM $$pid; wait $$pid

# Unit, golden, fuzz-seed, end-to-end and load-smoke tests. The end-to-end
# tests start the built binary, so it is built first. Then the testbed
# module's unit tests and its one short correctness scenario (the TestLog
# scenarios are `make testbed`'s).
test: build test-deps
	OTELCOL_PAN_BIN=$(CURDIR)/$(BIN) ALSGEN_BIN=$(CURDIR)/$(ALSGEN) $(GO) test -count=1 $(GOTESTFLAGS) ./...
	cd test/testbed && RUN_TESTBED=1 OTELCOL_PAN_BIN=$(CURDIR)/$(BIN) $(GO) test -count=1 -skip '^TestLog' $(GOTESTFLAGS) ./...

# The collector-contrib testbed scenarios (test/testbed, a Go module of its
# own): throughput with CPU and RAM ceilings, a backend outage with a
# persistent queue, 1k-stream fan-in. Results: test/testbed/results/.
testbed: build
	cd test/testbed && RUN_TESTBED=1 OTELCOL_PAN_BIN=$(CURDIR)/$(BIN) $(GO) test -count=1 -timeout 15m $(GOTESTFLAGS) ./...; \
	  status=$$?; cat $(CURDIR)/test/testbed/results/TESTRESULTS.md; exit $$status

# The syslog end-to-end test runs a real rsyslogd: Debian's package.
test-deps:
	@if ! command -v rsyslogd >/dev/null 2>&1 && [ ! -x /usr/sbin/rsyslogd ]; then \
	  echo "installing rsyslog (Debian package) for the syslog end-to-end test"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq rsyslog >/dev/null; \
	fi

# The pipeline benchmark (DESIGN.md §8): ours, the OTLP baseline and the
# decode-only ceiling on this machine, one table, then the summary line.
# Hot-path micro-benchmarks: go test -run='^$$' -bench=. -benchmem ./...
bench: build bin/alsdecode
	$(GO) run ./test/loadtest/cmd/bench -collector $(BIN) -decoder bin/alsdecode

bin/alsdecode: test/loadtest/cmd/alsdecode/main.go go.mod go.sum
	$(GO) build -o bin/alsdecode ./test/loadtest/cmd/alsdecode

# The container image (Dockerfile): its builder stage runs `make build`, so
# the image holds the same static binary. Needs a Docker engine.
image:
	docker build -t $(IMAGE) .

# Regenerates mdatagen's code for every component.
generate:
	$(GO) generate ./receiver/... ./processor/... ./exporter/...

# golangci-lint (pinned in tools/go.mod, configured in .golangci.yml) over the
# module and the testbed's; go vet over the nested module ocb writes, for
# Linux and for Windows (main_windows.go and run_windows.go are only compiled
# there).
lint:
	$(TOOL) golangci-lint run ./...
	cd test/testbed && $(TOOL) golangci-lint run ./...
	cd $(DIST_DIR) && $(GO) vet . && GOOS=windows $(GO) vet .

# Formats the module as lint wants it (gofumpt, goimports).
fmt:
	$(TOOL) golangci-lint fmt ./...

clean:
	rm -rf bin

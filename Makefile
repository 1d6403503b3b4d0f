# otelcol-pan — build, run and test the distribution.
# Everything it needs comes from the Go module proxy through tools/go.mod
# (ocb and mdatagen) and, for the syslog end-to-end test, Debian's rsyslog.

GO        ?= go
TOOL      := $(GO) tool -modfile=$(CURDIR)/tools/go.mod
DIST_DIR  := cmd/otelcol-pan
BIN       := bin/otelcol-pan
ALSGEN    := bin/alsgen
SAMPLES   ?= testdata/als/mesh
FORMAT    ?= json
DEMO_ALS  ?= localhost:9001
DEMO_HEALTH ?= localhost:13133
DEMO_OTLP ?= localhost:4317
# The envoyOtelAls shape the demo sends: text (Envoy's default line) or labels.
OTLP_FORMAT ?= text
GOTESTFLAGS ?=

# The version: builder-config.yaml's dist.version (ocb writes it into the
# binary) and, unless HEAD is the clean tag v<version>, "+<commit>" (and
# ".dirty" for uncommitted changes) so that a binary names the commit it was
# built from: `otelcol-pan --version`. Without git (the image build copies no
# .git) the version alone.
VERSION   := $(shell sed -n 's/^  version: *//p' builder-config.yaml)
# Worked out once, before ocb touches the tree; `make VERSION_SUFFIX=…` overrides it.
ifeq ($(origin VERSION_SUFFIX),undefined)
VERSION_SUFFIX := $(shell c=$$(git rev-parse --short=12 HEAD 2>/dev/null) || exit 0; \
	d=$$(git status --porcelain --untracked-files=no 2>/dev/null); \
	if [ -z "$$d" ] && git tag --points-at HEAD 2>/dev/null | grep -qx 'v$(VERSION)'; then exit 0; fi; \
	printf '+%s%s' "$$c" "$${d:+.dirty}")
endif
IMAGE     ?= otelcol-pan:$(VERSION)

# Our own sources and the Makefile (its flags shape the binary): a change to
# any of them rebuilds the distribution.
SOURCES := $(shell find receiver processor exporter internal -name '*.go' -not -name '*_test.go' 2>/dev/null) \
           Makefile go.mod go.sum builder-config.yaml $(DIST_DIR)/default_config.yaml $(DIST_DIR)/default_config.go \
           $(DIST_DIR)/run_others.go $(DIST_DIR)/run_windows.go $(DIST_DIR)/version.go

.PHONY: all build run demo samples test test-deps testbed bench generate lint fmt clean image FORCE

all: build

build: $(BIN) $(ALSGEN)

# ocb generates the distribution's sources and go.mod; we compile them
# ourselves because run_others.go and run_windows.go replace ocb's
# main_others.go and main_windows.go (they add the embedded default
# configuration and the version suffix). CGO_ENABLED=0 gives a static binary
# (Go's net package otherwise links libc), so it runs in an image without one.
$(BIN): $(SOURCES) bin/.version
	$(TOOL) builder --config builder-config.yaml --skip-compilation
	rm -f $(DIST_DIR)/main_others.go $(DIST_DIR)/main_windows.go
	gofmt -w $(DIST_DIR)
	cd $(DIST_DIR) && CGO_ENABLED=0 $(GO) build -trimpath -ldflags="-s -w -X main.versionSuffix=$(VERSION_SUFFIX)" -o ../../$(BIN) .

# Holds the version suffix the binary was stamped with; rewritten (and so
# relinking the binary) only when the suffix changes.
bin/.version: FORCE
	@mkdir -p bin; if [ ! -f $@ ] || [ "$$(cat $@)" != '$(VERSION_SUFFIX)' ]; then echo '$(VERSION_SUFFIX)' > $@; fi

$(ALSGEN): $(shell find cmd/alsgen internal -name '*.go' -not -name '*_test.go') go.mod go.sum
	$(GO) build -trimpath -o $(ALSGEN) ./cmd/alsgen

# Starts the collector on its embedded default configuration.
run: $(BIN)
	./$(BIN)

# Starts the collector on its embedded default and replays the repository's
# sample mesh traffic (testdata/als/mesh) into it through Istio's three data
# paths: Envoy's ALS streams (prefix panw_istio_logs), the same entries as
# Istio's envoyOtelAls provider sends them over OTLP (OTLP_FORMAT text or
# labels; prefix envoy_otel_als), and, for the sidecars' traffic, the lines
# ztunnel would write in ambient mode, tailed by file_log (prefix ztunnel);
# istionorm turns the last two into the ALS record. One prefixed record per
# entry and path appears on stdout, in FORMAT (json, pan_csv, cef, leef or ocsf).
# The collector's own log and alsgen's counts go to stderr.
DEMO_PATHS := --set=receivers::otlp::protocols::grpc::endpoint=$(DEMO_OTLP) \
	--set='receivers::file_log::include=[$(CURDIR)/bin/demo-ztunnel.log]' --set=receivers::file_log::start_at=beginning \
	--set=processors::istionorm::unreadable=drop \
	--set=processors::paprefix/otlp::prefix=envoy_otel_als --set=processors::paprefix/ztunnel::prefix=ztunnel \
	--set='service::pipelines::logs/otlp::receivers=[otlp]' --set='service::pipelines::logs/otlp::processors=[istionorm,paprefix/otlp]' \
	--set='service::pipelines::logs/otlp::exporters=[panlogs]' \
	--set='service::pipelines::logs/ztunnel::receivers=[file_log]' --set='service::pipelines::logs/ztunnel::processors=[istionorm,paprefix/ztunnel]' \
	--set='service::pipelines::logs/ztunnel::exporters=[panlogs]'
demo: build
	@rm -f bin/demo-ztunnel.log; \
	./$(BIN) --set=exporters::panlogs::format=$(FORMAT) \
	  --set=receivers::istioals::endpoint=$(DEMO_ALS) --set=extensions::health_check::endpoint=$(DEMO_HEALTH) $(DEMO_PATHS) & pid=$$!; \
	trap 'kill $$pid 2>/dev/null' EXIT INT TERM; \
	./$(ALSGEN) -wait 30s -endpoint $(DEMO_ALS) -replay $(SAMPLES) \
	  -otlp $(DEMO_OTLP) -otlp-format $(OTLP_FORMAT) -ztunnel-log bin/demo-ztunnel.log && sleep 2; \
	kill -TERM $$pid; wait $$pid

# Rewrites the sample mesh traffic from its generator (internal/alsgen/mesh.go).
# The files must not change unless the generator did: go test ./internal/alsgen
# checks that they match.
samples:
	$(GO) run ./cmd/alsgen -mesh -record testdata/als/mesh

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

# The pipeline benchmark (README, "Performance"): ours, the OTLP baseline and
# the decode-only ceiling on this machine, one table, then the summary line;
# then what istionorm costs a record on each of its inputs.
# Hot-path micro-benchmarks: go test -run='^$$' -bench=. -benchmem ./...
bench: build bin/alsdecode
	$(GO) run ./test/loadtest/cmd/bench -collector $(BIN) -decoder bin/alsdecode
	@echo; echo "istionorm, cost per record on each input (ns/record):"
	@$(GO) test -run='^$$' -bench=BenchmarkProcessLogs -benchtime=2000x -benchmem ./processor/istionorm > bin/istionorm-bench.txt || { cat bin/istionorm-bench.txt; exit 1; }
	@grep '^Benchmark' bin/istionorm-bench.txt

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

FORCE:

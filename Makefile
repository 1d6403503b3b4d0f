# otelcol-pan — build, run and test the distribution.
# Everything it needs comes from the Go module proxy through tools/go.mod
# (ocb and mdatagen) and, for the end-to-end tests, Debian's packages.

GO        ?= go
TOOL      := $(GO) tool -modfile=tools/go.mod
DIST_DIR  := cmd/otelcol-pan
BIN       := bin/otelcol-pan
ALSGEN    := bin/alsgen
SAMPLES   ?= ../shared/testdata/als/skywalking
GOTESTFLAGS ?=
IMAGE     ?= otelcol-pan:0.1.0

# Our own sources and the Makefile (its flags shape the binary): a change to
# any of them rebuilds the distribution.
SOURCES := $(shell find receiver processor exporter internal -name '*.go' -not -name '*_test.go' 2>/dev/null) \
           Makefile go.mod go.sum builder-config.yaml $(DIST_DIR)/default_config.yaml $(DIST_DIR)/default_config.go $(DIST_DIR)/run_others.go

.PHONY: all build run demo test unit e2e bench generate lint fmt tidy clean image

all: build

build: $(BIN) $(ALSGEN)

# ocb generates the distribution's sources and go.mod; we compile them
# ourselves because run_others.go replaces ocb's main_others.go (it adds the
# embedded default configuration). CGO_ENABLED=0 gives a static binary (Go's
# net package otherwise links libc), so it runs in an image without one.
$(BIN): $(SOURCES)
	$(TOOL) builder --config builder-config.yaml --skip-compilation
	rm -f $(DIST_DIR)/main_others.go
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

# Unit, golden, fuzz-seed and end-to-end tests. The end-to-end tests start the
# built binary, so it is built first.
test: build
	OTELCOL_PAN_BIN=$(CURDIR)/$(BIN) ALSGEN_BIN=$(CURDIR)/$(ALSGEN) $(GO) test -count=1 $(GOTESTFLAGS) ./...

bench:
	@echo "make bench: the pipeline benchmark is not built yet (issue 6)."
	@echo "Hot-path micro-benchmarks: go test -run=^$$ -bench=. -benchmem ./..."

# The container image (Dockerfile): its builder stage runs `make build`, so
# the image holds the same static binary. Needs a Docker engine.
image:
	docker build -t $(IMAGE) .

# Regenerates mdatagen's code for every component.
generate:
	$(GO) generate ./receiver/... ./processor/... ./exporter/...

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	cd $(DIST_DIR) && $(GO) vet .

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf bin

# otelcol-pan container image: `make image` (needs a Docker engine).
#
# The builder stage runs `make build`, exactly as on a workstation: ocb
# generates the distribution from builder-config.yaml and the Makefile
# compiles it with CGO_ENABLED=0, so bin/otelcol-pan is a static binary.
# The final stage holds only that binary, the CA bundle (for TLS to a SIEM
# or to Cortex) and a passwd entry for the non-root user: no shell, no
# package manager.

FROM golang:1.26 AS build
WORKDIR /src
# Modules first, so that a source change reuses the download layer.
COPY go.mod go.sum ./
COPY tools/ tools/
RUN go mod download && go mod download -modfile=tools/go.mod
COPY . .
RUN make build \
 && echo 'nonroot:x:65532:65532:nonroot:/nonexistent:/sbin/nologin' > /tmp/passwd

FROM scratch
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /tmp/passwd /etc/passwd
COPY --from=build /src/bin/otelcol-pan /otelcol-pan
USER 65532:65532
# 9001: Envoy ALS (gRPC); 13133: health_check.
EXPOSE 9001 13133
ENTRYPOINT ["/otelcol-pan"]

package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// variant is one documented setting of one component, written as the YAML
// body of a component instance. Every variant gets an instance of its own
// (receivers on their own ports) and a pipeline of its own, so one
// collector start checks them all and a failure names the instance.
type variant struct {
	name string
	yaml string
}

// receiverVariants are the istioals settings of its README table.
func receiverVariants(ca *testCA) []variant {
	return []variant{
		{"defaults", ``},
		{"mesh_domains", `mesh_domains: [cluster.local, mesh.example.internal]`},
		{"consumer_retry", `consumer_retry: 2s`},
		{"inflight", `max_inflight_mib: 1`},
		{"window", "stream_window_kib: 1024"},
		{"shutdown_timeout", `shutdown_timeout: 1s`},
		{"grpc_settings", "max_recv_msg_size_mib: 8\nmax_concurrent_streams: 4096\nread_buffer_size: 65536\nwrite_buffer_size: 65536\ninclude_metadata: true"},
		{"keepalive", "keepalive:\n  server_parameters:\n    max_connection_age: 5m\n    max_connection_age_grace: 10s\n    time: 1m\n    timeout: 10s\n  enforcement_policy:\n    min_time: 10s\n    permit_without_stream: true"},
		{"tls", fmt.Sprintf("tls:\n  cert_file: %s\n  key_file: %s", ca.path("server.pem"), ca.path("server-key.pem"))},
		{"mtls_principals", fmt.Sprintf("tls:\n  cert_file: %s\n  key_file: %s\n  client_ca_file: %s\nallowed_principals: [spiffe://cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account]",
			ca.path("server.pem"), ca.path("server-key.pem"), ca.path("ca.pem"))},
	}
}

// processorVariants are paprefix's settings.
func processorVariants() []variant {
	return []variant{
		{"defaults", ``},
		{"static", `prefix: mesh-audit`},
		{"template", `prefix: mesh-%{k8s.namespace.name}-%{istio.source.workload}`},
		{"rules", "prefix: mesh-%{k8s.namespace.name}\nrules:\n  - match: {pan.egress: true}\n    prefix: mesh-egress\n  - match: {k8s.namespace.name: \"{payments,billing}\", pan.action: \"deny*\"}\n    prefix: pci-%{k8s.namespace.name}\n  - match: {istio.source.workload: \"[a-m]?*\"}\n    prefix: first-half"},
	}
}

// exporterVariants are panlogs' settings: every format with every prefix
// mode it accepts, every transport with each of its options.
func exporterVariants(ca *testCA, dir string) []variant {
	var vs []variant
	for _, f := range []string{"json", "pan_csv", "cef", "leef", "ocsf"} {
		for _, m := range []string{"line", "field", "none"} {
			if f == "pan_csv" && m == "field" {
				continue // refused by validate, as documented
			}
			vs = append(vs, variant{f + "_" + m, fmt.Sprintf("format: %s\nprefix_mode: %s\nprefix: mesh-audit", f, m)})
		}
	}
	file := func(name string) string { return filepath.Join(dir, name) }
	return append(vs,
		variant{"ocsf_file", fmt.Sprintf("format: ocsf\nprefix_mode: none\ntransport: file\nfile: {path: %s}", file("mesh.ocsf"))},
		variant{"ocsf_syslog", "format: ocsf\ntransport: syslog\nsyslog: {endpoint: 127.0.0.1:1, protocol: rfc3164, framing: lf}"},
		variant{"ocsf_http", "format: ocsf\nprefix_mode: field\nredact_query_params: [token]\ninclude_headers: [x-b3-traceid]\ntransport: http\nhttp: {endpoint: http://127.0.0.1:1/ocsf}"},
		variant{"request_data", "redact_query_params: [token, key]\ninclude_headers: [x-b3-traceid, Authorization]\nallow_sensitive_headers: true"},
		variant{"file", fmt.Sprintf("transport: file\nfile: {path: %s}", file("plain.log"))},
		variant{"file_rotation", fmt.Sprintf("transport: file\nfile:\n  path: %s\n  rotation: {max_megabytes: 10, max_days: 7, max_backups: 3, compress: true, localtime: true}", file("rot/mesh.log"))},
		variant{"syslog_defaults", "transport: syslog\nsyslog: {endpoint: 127.0.0.1:1}"},
		variant{"syslog_udp", "transport: syslog\nsyslog: {endpoint: 127.0.0.1:1, network: udp}"},
		variant{"syslog_udp_insecure_tls", "transport: syslog\nsyslog: {endpoint: 127.0.0.1:1, network: udp, tls: {insecure: true}}"},
		variant{"syslog_tcp_insecure_tls", "transport: syslog\nsyslog: {endpoint: 127.0.0.1:1, tls: {insecure: true}}"},
		variant{"syslog_tls", fmt.Sprintf("transport: syslog\nsyslog:\n  endpoint: localhost:1\n  tls: {ca_file: %s, cert_file: %s, key_file: %s}", ca.path("ca.pem"), ca.path("client.pem"), ca.path("client-key.pem"))},
		variant{"syslog_tls_skip_verify", "transport: syslog\nsyslog: {endpoint: 127.0.0.1:1, tls: {insecure_skip_verify: true}}"},
		variant{"syslog_rfc3164_lf", "transport: syslog\nsyslog: {endpoint: 127.0.0.1:1, protocol: rfc3164, framing: lf, facility: 4, hostname: mesh-collector, max_message_size: 2048, dial_timeout: 1s, write_timeout: 2s}"},
		variant{"http", "transport: http\nhttp:\n  endpoint: https://127.0.0.1:1/logs/v1/event\n  headers: {Authorization: Bearer x}\n  max_batch_bytes: 1000000"},
		variant{"http_plain_uncompressed", "transport: http\nhttp: {endpoint: http://127.0.0.1:1/logs, compression: none, timeout: 5s}"},
		variant{"queue_off", "sending_queue: {enabled: false}\nretry_on_failure: {enabled: false}\ntimeout: 10s"},
		variant{"queue_items", "sending_queue: {enabled: true, sizer: items, queue_size: 5000, num_consumers: 2}"},
		variant{"queue_persistent", "sending_queue: {enabled: true, storage: file_storage}\nretry_on_failure: {enabled: true, max_elapsed_time: 0}"},
	)
}

// serviceEntryVariants are serviceentry's settings.
func serviceEntryVariants(dir string) []variant {
	return []variant{
		{"minimal", "directory: " + filepath.Join(dir, "se-min")},
		{"full", "directory: " + filepath.Join(dir, "se-full") + `
interval: 30s
mesh_domains: [cluster.local, mesh.example.internal]
ignore_hosts: ["*.internal", metadata.google.internal]
ignore_cidrs: [10.0.0.0/8, 169.254.169.254]
min_connections: 3
namespaces: [payments, shop]
max_hosts: 500
max_hosts_per_workload: 0
storage: file_storage
service_entries: {namespace: istio-system, export_to: [learned, "."], ip_resolution: STATIC}
sidecars: {enabled: true, name: egress, egress_hosts: ["./*", "istio-system/*"]}`},
	}
}

// indent puts every line of s under a key (four spaces deep, inside a
// component).
func indent(s string) string {
	const n = 4
	if strings.TrimSpace(s) == "" {
		return " {}"
	}
	pad := strings.Repeat(" ", n)
	return "\n" + pad + strings.ReplaceAll(s, "\n", "\n"+pad)
}

// Every configuration the READMEs document must not only validate but run:
// one collector holds an instance of every documented setting of every
// component, each in a pipeline of its own, and must become healthy and
// stop cleanly. (A setting that validates and then fails or panics at start,
// like syslog's tls: {insecure: true} once did, fails this test.)
func TestEveryDocumentedOptionStarts(t *testing.T) {
	dir := t.TempDir()
	ca := newTestCA(t)
	ca.issue(t, "server", "")
	ca.issue(t, "client", "spiffe://cluster.local/ns/default/sa/client")

	var b strings.Builder
	fmt.Fprintf(&b, "extensions:\n  file_storage: {directory: %q, create_directory: true}\n", filepath.Join(dir, "queue"))
	b.WriteString("receivers:\n")
	recv := receiverVariants(ca)
	for _, v := range recv {
		fmt.Fprintf(&b, "  istioals/%s:\n    endpoint: %q%s\n", v.name, freeAddr(t), strings.TrimPrefix(indent(v.yaml), " {}"))
	}
	b.WriteString("processors:\n")
	procs := processorVariants()
	for _, v := range procs {
		fmt.Fprintf(&b, "  paprefix/%s:%s\n", v.name, indent(v.yaml))
	}
	b.WriteString("exporters:\n")
	exps := exporterVariants(ca, dir)
	for _, v := range exps {
		fmt.Fprintf(&b, "  panlogs/%s:%s\n", v.name, indent(v.yaml))
	}
	ses := serviceEntryVariants(dir)
	for _, v := range ses {
		fmt.Fprintf(&b, "  serviceentry/%s:%s\n", v.name, indent(v.yaml))
	}
	b.WriteString("service:\n  extensions: [file_storage]\n  pipelines:\n")
	// Pipeline i takes receiver i mod R and processor i mod P, so that every
	// instance of every kind is in some pipeline.
	n := max(len(recv), len(procs), len(exps), len(ses))
	for i := 0; i < n; i++ {
		exporters := []string{"panlogs/" + exps[i%len(exps)].name}
		if i < len(ses) {
			exporters = append(exporters, "serviceentry/"+ses[i].name)
		}
		fmt.Fprintf(&b, "    logs/%d: {receivers: [istioals/%s], processors: [paprefix/%s], exporters: [%s]}\n",
			i, recv[i%len(recv)].name, procs[i%len(procs)].name, strings.Join(exporters, ", "))
	}
	out, err := otelcolPan(t, "validate", "--config", writeConfig(t, b.String()))
	require.NoError(t, err, "validate:\n%s\n%s", out, b.String())
	c := runCollector(t, b.String())
	c.stopCleanly(t)
}

// Every shipped example starts as written: each on a loopback address of
// its own (MY_POD_IP), with its file paths moved under the test's
// directory.
func TestEveryExampleStarts(t *testing.T) {
	examples, err := filepath.Glob(filepath.Join("..", "..", "examples", "*.yaml"))
	require.NoError(t, err)
	require.NotEmpty(t, examples)
	sort.Strings(examples)
	ca := newTestCA(t)
	for i, path := range examples {
		t.Run(filepath.Base(path), func(t *testing.T) {
			dir := t.TempDir()
			raw, err := os.ReadFile(path)
			require.NoError(t, err)
			cfg := string(raw)
			for _, p := range []string{"/var/log/", "/var/lib/", "/etc/pan/"} {
				cfg = strings.ReplaceAll(cfg, p, filepath.Join(dir, p)+"/")
			}
			require.NoError(t, os.MkdirAll(filepath.Join(dir, "etc", "pan"), 0o755))
			caPEM, err := os.ReadFile(ca.path("ca.pem"))
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(filepath.Join(dir, "etc", "pan", "ca.pem"), caPEM, 0o600))
			// 127.0.0.0/8 is all loopback: one address per example keeps
			// their fixed ports (9001, 4317, 13133) apart.
			ip := fmt.Sprintf("127.0.%d.%d", 10+i/200, 1+i%200)
			conf := writeConfig(t, cfg)
			c := startCollector(t, []string{"MY_POD_IP=" + ip, "CORTEX_TOKEN=test-token"}, "http://"+ip+":13133/", "--config", conf)
			c.stopCleanly(t)
		})
	}
}

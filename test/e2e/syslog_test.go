package e2e

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-pan/otelcol-pan/internal/alsgen"
)

// startRsyslog runs a real rsyslogd in the foreground with a private
// configuration: RFC 5424 over TCP (octet counting) on tcpAddr and RFC 3164
// over UDP on udpAddr, each written raw (APP-NAME or TAG, then MSG) to its
// own file.
func startRsyslog(t *testing.T, dir, tcpPort, udpPort string) {
	t.Helper()
	bin, err := exec.LookPath("rsyslogd")
	if err != nil {
		bin = "/usr/sbin/rsyslogd"
		if _, serr := os.Stat(bin); serr != nil {
			t.Fatalf("rsyslogd is not installed (%v); `make test` installs Debian's rsyslog package", err)
		}
	}
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "work"), 0o755))
	conf := fmt.Sprintf(`
global(workDirectory="%[1]s/work" maxMessageSize="64k")
module(load="imtcp")
module(load="imudp")
template(name="app_msg" type="string" string="%%app-name%%|%%hostname%%|%%msgid%%|%%msg%%\n")
template(name="tag_msg" type="string" string="%%syslogtag%%|%%hostname%%|%%msg%%\n")
ruleset(name="rfc5424") { action(type="omfile" file="%[1]s/rfc5424.log" template="app_msg") }
ruleset(name="rfc3164") { action(type="omfile" file="%[1]s/rfc3164.log" template="tag_msg") }
input(type="imtcp" address="127.0.0.1" port="%[2]s" ruleset="rfc5424")
input(type="imudp" address="127.0.0.1" port="%[3]s" ruleset="rfc3164" rcvbufSize="4m")
`, dir, tcpPort, udpPort)
	confPath := filepath.Join(dir, "rsyslog.conf")
	require.NoError(t, os.WriteFile(confPath, []byte(conf), 0o644))
	cmd := exec.Command(bin, "-n", "-f", confPath, "-i", filepath.Join(dir, "rsyslogd.pid"))
	var log strings.Builder
	cmd.Stdout, cmd.Stderr = &log, &log
	require.NoError(t, cmd.Start())
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-done
	})
	eventually(t, 20*time.Second, func() error {
		select {
		case <-done:
			return fmt.Errorf("rsyslogd exited: %s", log.String())
		default:
		}
		c, err := net.Dial("tcp", "127.0.0.1:"+tcpPort)
		if err != nil {
			return err
		}
		return c.Close()
	})
}

func port(addr string) string {
	_, p, _ := net.SplitHostPort(addr)
	return p
}

// Records reach a real rsyslog intact: RFC 5424 over TCP with octet counting
// and RFC 3164 over UDP, the prefix as APP-NAME / TAG, one message each.
func TestSyslogToRealRsyslog(t *testing.T) {
	dir := t.TempDir()
	tcpAddr := freeAddr(t)
	udpLn, err := net.ListenPacket("udp", "127.0.0.1:0")
	require.NoError(t, err)
	udpAddr := udpLn.LocalAddr().String()
	require.NoError(t, udpLn.Close())
	startRsyslog(t, dir, port(tcpAddr), port(udpAddr))

	alsAddr := freeAddr(t)
	c := runCollector(t, fmt.Sprintf(`
receivers: {istioals: {endpoint: %s}}
processors: {paprefix: {prefix: e2e-syslog}, batch: {timeout: 50ms}}
exporters:
  panlogs/tcp:
    format: json
    transport: syslog
    syslog: {endpoint: %s, network: tcp, protocol: rfc5424, framing: octet_counting, hostname: mesh-collector}
  panlogs/udp:
    format: json
    prefix_mode: none
    transport: syslog
    syslog: {endpoint: %s, network: udp, protocol: rfc3164, max_message_size: 8192, hostname: mesh-collector}
service: {pipelines: {logs: {receivers: [istioals], processors: [paprefix, batch], exporters: [panlogs/tcp, panlogs/udp]}}}
`, alsAddr, tcpAddr, udpAddr))

	const n = 200
	// A modest rate keeps the loopback UDP socket's buffer from overflowing:
	// UDP is best effort by design, this test checks the framing.
	send(t, alsAddr, 1000, alsgen.Synthetic("mixed", []string{"default", "payments"}, 4, n, 10))

	for _, f := range []string{"rfc5424.log", "rfc3164.log"} {
		path := filepath.Join(dir, f)
		c.waitLines(t, path, n)
	}

	check := func(file string, wantHead []string, msgPrefix string) {
		lines := fileLines(filepath.Join(dir, file))
		require.Len(t, lines, n, file)
		ids := map[string]bool{}
		for _, l := range lines {
			parts := strings.SplitN(l, "|", len(wantHead)+1)
			require.Len(t, parts, len(wantHead)+1, l)
			assert.Equal(t, wantHead, parts[:len(wantHead)], l)
			msg := strings.TrimLeft(parts[len(wantHead)], " ")
			require.True(t, strings.HasPrefix(msg, msgPrefix+"{"), "%s: %q", file, msg)
			var rec map[string]any
			require.NoError(t, json.Unmarshal([]byte(strings.TrimPrefix(msg, msgPrefix)), &rec), "%s: intact JSON: %q", file, msg)
			assert.Equal(t, "TRAFFIC", rec["type"])
			key := fmt.Sprint(rec["src"], rec["sport"], rec["dst"], rec["start"])
			if h, ok := rec["http"].(map[string]any); ok {
				key = fmt.Sprint(h["request_id"])
			}
			ids[key] = true
		}
		assert.Len(t, ids, n, "%s: every record once", file)
	}
	check("rfc5424.log", []string{"e2e-syslog", "mesh-collector", "TRAFFIC"}, "e2e-syslog ")
	check("rfc3164.log", []string{"e2e-syslog:", "mesh-collector"}, "")
}

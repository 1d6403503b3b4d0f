package datareceivers

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-pan/otelcol-pan/test/testbed/panlines"
)

func freePort(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// records flattens what the sink got.
func records(sink *consumertest.LogsSink) []plog.LogRecord {
	var out []plog.LogRecord
	for _, ld := range sink.AllLogs() {
		lrs := ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords()
		for i := 0; i < lrs.Len(); i++ {
			out = append(out, lrs.At(i))
		}
	}
	return out
}

func attr(lr plog.LogRecord, k string) string {
	v, _ := lr.Attributes().Get(k)
	return v.AsString()
}

const leefLine = `mesh-shop LEEF:2.0|Palo Alto Networks|otelcol-pan|0.1.0|TRAFFIC|^|cat=end^sev=3^src=10.0.0.1^srcPort=40001`

func TestSyslogReceiverReadsOctetCountedRFC5424(t *testing.T) {
	sink := &consumertest.LogsSink{}
	r := NewSyslogReceiver(freePort(t), panlines.FormatLEEF)
	require.NoError(t, r.Start(nil, nil, sink))
	t.Cleanup(func() { _ = r.Stop() })

	c, err := net.Dial("tcp", r.addr())
	require.NoError(t, err)
	var frames bytes.Buffer
	for _, m := range []string{
		"<134>1 2026-01-02T03:04:05.000000Z host mesh-shop - TRAFFIC - " + leefLine,
		"<132>1 2026-01-02T03:04:05.000000Z host mesh-shop - TRAFFIC - garbage",
	} {
		fmt.Fprintf(&frames, "%d %s", len(m), m)
	}
	_, err = c.Write(frames.Bytes())
	require.NoError(t, err)
	require.NoError(t, c.Close())

	require.Eventually(t, func() bool { return sink.LogRecordCount() == 2 }, waitFor, tick)
	got := records(sink)
	assert.Equal(t, "10.0.0.1", attr(got[0], panlines.Src))
	assert.Equal(t, "6", attr(got[0], panlines.SyslogSeverity))
	assert.Equal(t, "mesh-shop", attr(got[0], panlines.SyslogAppName))
	assert.Equal(t, "TRAFFIC", attr(got[0], panlines.SyslogMsgID))
	assert.NotEmpty(t, attr(got[1], panlines.ParseError), "an unreadable line is a record that says why")
}

func TestHTTPReceiverTakesGzippedPostsWithItsToken(t *testing.T) {
	sink := &consumertest.LogsSink{}
	r := NewHTTPReceiver(freePort(t), panlines.FormatLEEF)
	require.NoError(t, r.Start(nil, nil, sink))
	t.Cleanup(func() { _ = r.Stop() })
	url := fmt.Sprintf("http://%s/logs/v1/event", r.addr())

	post := func(token string) int {
		var body bytes.Buffer
		zw := gzip.NewWriter(&body)
		_, _ = zw.Write([]byte(leefLine + "\n" + leefLine + "\n"))
		require.NoError(t, zw.Close())
		req, err := http.NewRequest(http.MethodPost, url, &body)
		require.NoError(t, err)
		req.Header.Set("Content-Encoding", "gzip")
		req.Header.Set("Authorization", token)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	assert.Equal(t, http.StatusUnauthorized, post("wrong"))
	assert.Equal(t, 0, sink.LogRecordCount())
	assert.Equal(t, http.StatusOK, post(r.token))
	assert.Equal(t, 2, sink.LogRecordCount())
	assert.Equal(t, "40001", attr(records(sink)[1], panlines.SrcPort))

	// Paused, nothing listens; resumed, the same port takes records again.
	require.NoError(t, r.Pause())
	_, err := http.Post(url, "text/plain", nil)
	require.Error(t, err)
	require.NoError(t, r.Resume())
	assert.Equal(t, http.StatusOK, post(r.token))
	assert.Equal(t, 4, sink.LogRecordCount())
}

const (
	waitFor = 5 * time.Second
	tick    = 10 * time.Millisecond
)

package transport

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
)

// lines builds a batch of the given lines.
func lines(ls ...string) *Batch {
	b := &Batch{}
	for _, l := range ls {
		b.Msgs = append(b.Msgs, Message{LineStart: len(b.Buf), End: len(b.Buf) + len(l), AppName: "p", Severity: 6})
		b.Buf = append(b.Buf, l...)
		b.Buf = append(b.Buf, '\n')
	}
	return b
}

func TestSyslogRFC3164Header(t *testing.T) {
	s := NewSyslog(SyslogSettings{RFC3164: true, Facility: 16})
	s.hostname = "h"
	ts := time.Date(2026, 3, 5, 7, 8, 9, 0, time.UTC).UnixNano()
	got := string(s.appendHeader(nil, &Message{AppName: "mesh", Severity: 4, Time: ts}))
	assert.Equal(t, "<132>Mar  5 07:08:09 h mesh: ", got, "the day is padded with a space, not a zero")
}

func TestSyslogTruncatesAtMaxMessageSize(t *testing.T) {
	s := NewSyslog(SyslogSettings{Network: "udp", MaxMessageSize: 480})
	s.hostname = "h"
	b := lines(strings.Repeat("é", 400)) // 800 bytes of two-byte runes
	out, cut := s.appendMessage(nil, b, &b.Msgs[0])
	assert.True(t, cut)
	assert.LessOrEqual(t, len(out), 480)
	assert.True(t, utf8.Valid(out), "cut on a rune boundary")
}

func TestSyslogFraming(t *testing.T) {
	b := lines("one", "two")
	for _, tt := range []struct {
		lf   bool
		want string
	}{
		{false, "<134>1 2026-03-05T07:08:09.000000Z h p - TRAFFIC - one"},
		{true, "<134>1 2026-03-05T07:08:09.000000Z h p - TRAFFIC - one\n"},
	} {
		s := NewSyslog(SyslogSettings{Network: "tcp", LineFraming: tt.lf, Facility: 16, MaxMessageSize: 1024})
		s.hostname = "h"
		b.Msgs[0].Time = time.Date(2026, 3, 5, 7, 8, 9, 0, time.UTC).UnixNano()
		out, cut := s.appendMessage(nil, b, &b.Msgs[0])
		assert.False(t, cut)
		if tt.lf {
			assert.Equal(t, tt.want, string(out))
		} else {
			assert.Equal(t, "54 "+tt.want, string(out), "octet counting")
		}
	}
}

func TestRetryAfter(t *testing.T) {
	assert.Equal(t, 3*time.Second, retryAfter("3"))
	assert.Equal(t, time.Duration(0), retryAfter(""))
	assert.Equal(t, time.Duration(0), retryAfter("soon"))
	assert.InDelta(t, float64(10*time.Second), float64(retryAfter(time.Now().Add(10*time.Second).UTC().Format(http.TimeFormat))), float64(2*time.Second))
}

// A rotating file takes one write of whole lines at most a file long.
func TestFileWritesRunsOfWholeLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pan.log")
	f := NewFile(path, &Rotation{MaxMegabytes: 1, MaxBackups: 3})
	require.NoError(t, f.Start(context.Background(), componenttest.NewNopHost()))
	line := strings.Repeat("x", 300<<10)
	require.NoError(t, f.Write(context.Background(), lines(line, line, line, line, line)))
	require.NoError(t, f.Close())
	require.Error(t, f.Write(context.Background(), lines("late")), "a closed file refuses writes")
	files, err := filepath.Glob(filepath.Join(filepath.Dir(path), "pan*.log"))
	require.NoError(t, err)
	total := 0
	for _, name := range files {
		b, err := os.ReadFile(name)
		require.NoError(t, err)
		require.LessOrEqual(t, len(b), 1<<20)
		total += bytes.Count(b, []byte("\n"))
	}
	assert.Equal(t, 5, total)
}

func TestPartialError(t *testing.T) {
	require.NoError(t, partial(3, nil))
	err := partial(0, assert.AnError)
	assert.Equal(t, assert.AnError, err, "nothing delivered: the error as it is")
	var pe *PartialError
	require.ErrorAs(t, partial(2, assert.AnError), &pe)
	assert.Equal(t, 2, pe.Sent)
	require.ErrorIs(t, pe, assert.AnError)
}

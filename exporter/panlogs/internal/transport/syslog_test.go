package transport

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
)

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

package alsmsg_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	"github.com/otelcol-pan/otelcol-pan/internal/alsmsg"
	"github.com/otelcol-pan/otelcol-pan/internal/testutil"
)

// The shared captures read, each with its node and one HTTP entry.
func TestReadSamples(t *testing.T) {
	samples := testutil.Samples(t)
	require.Len(t, samples, 4)
	for _, s := range samples {
		require.NotNil(t, s.Msg.GetIdentifier().GetNode(), s.Name)
		require.Len(t, s.Msg.GetHttpLogs().GetLogEntry(), 1, s.Name)
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		name, in string
		wantErr  bool
		entries  int
	}{
		{name: "comments and trailing brace", in: "# c\n// d\n{\"tcpLogs\":{\"logEntry\":[{}]}}\n}\n", entries: 1},
		{name: "indented comment", in: "{\n  // note\n  \"httpLogs\":{\"logEntry\":[{},{}]}}", entries: 2},
		{name: "empty", in: "# only a comment\n", wantErr: true},
		{name: "nothing known", in: `{"nope":1}`, wantErr: true},
		{name: "broken", in: `{"httpLogs":`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg, err := alsmsg.Parse([]byte(tt.in))
			if tt.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.entries, len(msg.GetHttpLogs().GetLogEntry())+len(msg.GetTcpLogs().GetLogEntry()))
		})
	}
}

func TestParseStream(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantErr bool
		entries []int // per message
	}{
		{name: "one message", in: `{"httpLogs":{"logEntry":[{}]}}`, entries: []int{1}},
		{name: "two messages", in: "# stream\n{\"identifier\":{\"logName\":\"x\"},\"httpLogs\":{\"logEntry\":[{}]}}\n// second\n{\"httpLogs\":{\"logEntry\":[{},{}]}}\n", entries: []int{1, 2}},
		{name: "stray brace after the last", in: "{\"tcpLogs\":{\"logEntry\":[{}]}}\n{\"tcpLogs\":{\"logEntry\":[{}]}}\n}\n", entries: []int{1, 1}},
		{name: "broken second message", in: "{\"tcpLogs\":{\"logEntry\":[{}]}}\n{\"tcpLogs\":", wantErr: true},
		{name: "second message of nothing known", in: "{\"tcpLogs\":{\"logEntry\":[{}]}}\n{\"nope\":1}", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msgs, err := alsmsg.ParseStream([]byte(tt.in))
			if tt.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			var got []int
			for _, m := range msgs {
				got = append(got, len(m.GetHttpLogs().GetLogEntry())+len(m.GetTcpLogs().GetLogEntry()))
			}
			require.Equal(t, tt.entries, got)
		})
	}
}

// Marshal writes what ParseStream reads, and the same bytes every time.
func TestMarshalRoundTrip(t *testing.T) {
	in := "{\"identifier\":{\"logName\":\"als\"},\"httpLogs\":{\"logEntry\":[{\"request\":{\"path\":\"/a\"}}]}}\n{\"tcpLogs\":{\"logEntry\":[{}]}}"
	msgs, err := alsmsg.ParseStream([]byte(in))
	require.NoError(t, err)
	b1, err := alsmsg.Marshal("a stream\nof two messages", msgs)
	require.NoError(t, err)
	b2, err := alsmsg.Marshal("a stream\nof two messages", msgs)
	require.NoError(t, err)
	require.Equal(t, string(b1), string(b2))
	require.Contains(t, string(b1), "# a stream\n# of two messages\n{\n  \"identifier\"")
	back, err := alsmsg.ParseStream(b1)
	require.NoError(t, err)
	require.Len(t, back, 2)
	require.True(t, proto.Equal(msgs[0], back[0]))
	require.True(t, proto.Equal(msgs[1], back[1]))
}

package alsmsg_test

import (
	"testing"

	"github.com/stretchr/testify/require"

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

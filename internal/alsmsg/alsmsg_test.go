package alsmsg

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// samplesDir holds the shared ALS captures; tests skip when it is absent.
func samplesDir(t *testing.T) string {
	dir := filepath.Join("..", "..", "..", "shared", "testdata", "als", "skywalking")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("shared samples not present (%v): skipping", err)
	}
	return dir
}

func TestReadSamples(t *testing.T) {
	files, err := Files(samplesDir(t))
	require.NoError(t, err)
	require.Len(t, files, 4)
	for _, f := range files {
		msg, err := ReadFile(f)
		require.NoError(t, err, f)
		require.NotNil(t, msg.GetIdentifier().GetNode(), f)
		require.Len(t, msg.GetHttpLogs().GetLogEntry(), 1, f)
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantErr bool
		entries int
	}{
		{name: "comments and trailing brace", in: "# c\n// d\n{\"tcpLogs\":{\"logEntry\":[{}]}}\n}\n", entries: 1},
		{name: "indented comment", in: "{\n  // note\n  \"httpLogs\":{\"logEntry\":[{},{}]}}", entries: 2},
		{name: "empty", in: "# only a comment\n", wantErr: true},
		{name: "nothing known", in: `{"nope":1}`, wantErr: true},
		{name: "broken", in: `{"httpLogs":`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg, err := Parse([]byte(tt.in))
			if tt.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.entries, len(msg.GetHttpLogs().GetLogEntry())+len(msg.GetTcpLogs().GetLogEntry()))
		})
	}
}

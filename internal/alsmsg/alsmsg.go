// Package alsmsg reads Envoy ALS captures written as protobuf JSON (".msg"
// files, as in ../shared/testdata/als): whole lines starting with '#' or '//'
// are comments, and only the first complete JSON value counts, so a file with
// trailing bytes after it (one published sample has a stray '}') still reads.
package alsmsg

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	accesslogv3 "github.com/envoyproxy/go-control-plane/envoy/service/accesslog/v3"
	"google.golang.org/protobuf/encoding/protojson"
)

// Parse reads one message from the bytes of a .msg file.
func Parse(data []byte) (*accesslogv3.StreamAccessLogsMessage, error) {
	var clean bytes.Buffer
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	for sc.Scan() {
		line := sc.Bytes()
		t := bytes.TrimSpace(line)
		if bytes.HasPrefix(t, []byte("#")) || bytes.HasPrefix(t, []byte("//")) {
			continue
		}
		clean.Write(line)
		clean.WriteByte('\n')
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	var raw json.RawMessage
	if err := json.NewDecoder(&clean).Decode(&raw); err != nil {
		return nil, fmt.Errorf("no JSON value: %w", err)
	}
	msg := &accesslogv3.StreamAccessLogsMessage{}
	// Captures from older Envoys carry fields that v3 dropped (the node's
	// buildVersion, say): skip them rather than refuse a real capture.
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(raw, msg); err != nil {
		return nil, fmt.Errorf("not a StreamAccessLogsMessage: %w", err)
	}
	if msg.GetIdentifier() == nil && msg.GetLogEntries() == nil {
		return nil, fmt.Errorf("not a StreamAccessLogsMessage: neither identifier nor log entries")
	}
	return msg, nil
}

// ReadFile reads one .msg file.
func ReadFile(path string) (*accesslogv3.StreamAccessLogsMessage, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	msg, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return msg, nil
}

// Files expands paths: a directory stands for its *.msg files, in name order.
func Files(paths ...string) ([]string, error) {
	var out []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			out = append(out, p)
			continue
		}
		entries, err := os.ReadDir(p)
		if err != nil {
			return nil, err
		}
		var names []string
		for _, e := range entries {
			if !e.IsDir() && strings.HasSuffix(e.Name(), ".msg") {
				names = append(names, filepath.Join(p, e.Name()))
			}
		}
		sort.Strings(names)
		if len(names) == 0 {
			return nil, fmt.Errorf("%s: no .msg files", p)
		}
		out = append(out, names...)
	}
	return out, nil
}

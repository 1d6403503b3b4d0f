// Package alsmsg reads and writes Envoy ALS streams as protobuf JSON (".msg"
// files, as in testdata/als): whole lines starting with '#' or '//' are
// comments; a file holds the messages of one stream, one JSON object each, in
// the order they were sent (only the first carries Envoy's identifier). After
// the last object, anything that does not open another one is ignored, so a
// capture with trailing bytes (one published sample ends in a stray '}')
// still reads.
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

// Parse reads the first message of a .msg file.
func Parse(data []byte) (*accesslogv3.StreamAccessLogsMessage, error) {
	msgs, err := ParseStream(data)
	if err != nil {
		return nil, err
	}
	return msgs[0], nil
}

// ParseStream reads every message of a .msg file, in order.
func ParseStream(data []byte) ([]*accesslogv3.StreamAccessLogsMessage, error) {
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
	src := clean.Bytes()
	dec := json.NewDecoder(bytes.NewReader(src))
	var msgs []*accesslogv3.StreamAccessLogsMessage
	for {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			if len(msgs) == 0 {
				return nil, fmt.Errorf("no JSON value: %w", err)
			}
			return nil, fmt.Errorf("message %d: %w", len(msgs)+1, err)
		}
		msg := &accesslogv3.StreamAccessLogsMessage{}
		// Captures from older Envoys carry fields that v3 dropped (the
		// node's buildVersion, say): skip them rather than refuse a real
		// capture.
		if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(raw, msg); err != nil {
			return nil, fmt.Errorf("message %d: not a StreamAccessLogsMessage: %w", len(msgs)+1, err)
		}
		if msg.GetIdentifier() == nil && msg.GetLogEntries() == nil {
			return nil, fmt.Errorf("message %d: not a StreamAccessLogsMessage: neither identifier nor log entries", len(msgs)+1)
		}
		msgs = append(msgs, msg)
		rest := bytes.TrimLeft(src[dec.InputOffset():], " \t\r\n")
		if len(rest) == 0 || rest[0] != '{' {
			return msgs, nil
		}
	}
}

// Marshal writes msgs as one .msg file: header as '#' comment lines, then
// each message as indented protobuf JSON (lowerCamelCase names). The output
// depends only on the messages: protojson's deliberately unstable spacing is
// normalised, so the same messages always give the same bytes.
func Marshal(header string, msgs []*accesslogv3.StreamAccessLogsMessage) ([]byte, error) {
	var out bytes.Buffer
	if header != "" {
		for _, line := range strings.Split(strings.TrimRight(header, "\n"), "\n") {
			out.WriteString(strings.TrimRight("# "+line, " "))
			out.WriteByte('\n')
		}
	}
	for i, m := range msgs {
		b, err := protojson.Marshal(m)
		if err != nil {
			return nil, fmt.Errorf("message %d: %w", i+1, err)
		}
		if err := json.Indent(&out, b, "", "  "); err != nil {
			return nil, fmt.Errorf("message %d: %w", i+1, err)
		}
		out.WriteByte('\n')
	}
	return out.Bytes(), nil
}

// ReadFile reads the first message of a .msg file.
func ReadFile(path string) (*accesslogv3.StreamAccessLogsMessage, error) {
	msgs, err := ReadStream(path)
	if err != nil {
		return nil, err
	}
	return msgs[0], nil
}

// ReadStream reads every message of a .msg file.
func ReadStream(path string) ([]*accesslogv3.StreamAccessLogsMessage, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	msgs, err := ParseStream(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return msgs, nil
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

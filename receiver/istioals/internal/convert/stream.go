package convert

import (
	"fmt"

	accesslogv3 "github.com/envoyproxy/go-control-plane/envoy/service/accesslog/v3"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"google.golang.org/protobuf/proto"

	"github.com/otelcol-pan/otelcol-pan/internal/mesh"
)

// Settings configure a Converter.
type Settings struct {
	// MeshDomains are the DNS suffixes of in-mesh services; an outbound
	// cluster to any other host is egress. Nil means mesh.DefaultDomain.
	MeshDomains []string
	// ScopeName and ScopeVersion name the instrumentation scope of the
	// records.
	ScopeName, ScopeVersion string
}

// Converter turns ALS messages into log records. It holds only its
// settings: one serves every stream.
type Converter struct {
	domains             mesh.Domains
	scopeName, scopeVer string
}

// NewConverter builds a converter.
func NewConverter(set Settings) *Converter {
	cv := &Converter{domains: mesh.DefaultDomains(), scopeName: set.ScopeName, scopeVer: set.ScopeVersion}
	if set.MeshDomains != nil {
		cv.domains = mesh.NewDomains(set.MeshDomains)
	}
	return cv
}

// Stream is the conversion state of one ALS stream: the node Envoy
// identified itself with (it sends the identifier only on a stream's first
// message) and the reusable decoding scratch. One per stream, never shared,
// so converting needs no lock and allocates nothing for decoding once warm.
type Stream struct {
	scratch    Scratch
	node       Node
	started    bool
	identified bool
}

// Started reports whether the stream has had a message.
func (st *Stream) Started() bool { return st.started }

// Identified reports whether the stream has sent an identifier.
func (st *Stream) Identified() bool { return st.identified }

// Release drops every reference the stream holds into the last message it
// converted, keeping its capacity: a stream waiting for its next message
// must not keep the previous one alive as well.
func (st *Stream) Release() { st.scratch.Release() }

// Counts are a message's entries by kind.
type Counts struct{ HTTP, TCP int }

// Total is the number of entries.
func (c Counts) Total() int { return c.HTTP + c.TCP }

// Message converts one wire-format StreamAccessLogsMessage of stream st: it
// splits the message, makes an identifier the stream's node (a stream that
// starts without one gets an empty node), and appends one record per entry
// under the node's resource. The records' strings point into b, which the
// caller must not change afterwards. A malformed message is an error, and
// gives no records.
func (cv *Converter) Message(b []byte, st *Stream, observed pcommon.Timestamp) (plog.Logs, Counts, error) {
	sc := &st.scratch
	if err := SplitMessage(b, &sc.msg); err != nil {
		return plog.Logs{}, Counts{}, err
	}
	if id := sc.msg.Identifier; id != nil {
		var ident accesslogv3.StreamAccessLogsMessage_Identifier
		if err := proto.Unmarshal(id, &ident); err != nil {
			return plog.Logs{}, Counts{}, fmt.Errorf("identifier: %w", err)
		}
		st.node = NewNode(ident.GetNode(), ident.GetLogName())
		st.identified = true
	} else if !st.started {
		st.node = NewNode(nil, "")
	}
	st.started = true

	logs := plog.NewLogs()
	rl := logs.ResourceLogs().AppendEmpty()
	st.node.Resource.CopyTo(rl.Resource().Attributes())
	sl := rl.ScopeLogs().AppendEmpty()
	sl.Scope().SetName(cv.scopeName)
	sl.Scope().SetVersion(cv.scopeVer)
	n, err := cv.convert(sc, &st.node.Local, observed, sl.LogRecords())
	if err != nil {
		return plog.Logs{}, Counts{}, err
	}
	return logs, n, nil
}

// Scratch is a stream's reusable decoding state.
type Scratch struct {
	msg  Message
	dec  decoder
	http httpView
	tcp  tcpView
}

// Release drops every reference the scratch holds into the last message it
// split, keeping its capacity.
func (sc *Scratch) Release() {
	clear(sc.msg.HTTP[:cap(sc.msg.HTTP)])
	clear(sc.msg.TCP[:cap(sc.msg.TCP)])
	sc.msg.Identifier, sc.msg.HTTP, sc.msg.TCP = nil, sc.msg.HTTP[:0], sc.msg.TCP[:0]
	sc.dec.release()
	sc.http.release()
	sc.tcp.release()
}

// convert appends one record per entry of the message split into sc.
func (cv *Converter) convert(sc *Scratch, local *Local, observed pcommon.Timestamp, lrs plog.LogRecordSlice) (Counts, error) {
	lrs.EnsureCapacity(lrs.Len() + len(sc.msg.HTTP) + len(sc.msg.TCP))
	for _, e := range sc.msg.HTTP {
		if err := sc.dec.http(e, &sc.http); err != nil {
			return Counts{}, err
		}
		cv.appendHTTP(&sc.http, local, observed, lrs)
	}
	for _, e := range sc.msg.TCP {
		if err := sc.dec.tcp(e, &sc.tcp); err != nil {
			return Counts{}, err
		}
		cv.appendTCP(&sc.tcp, local, observed, lrs)
	}
	return Counts{HTTP: len(sc.msg.HTTP), TCP: len(sc.msg.TCP)}, nil
}

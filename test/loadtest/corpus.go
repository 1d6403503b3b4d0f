package loadtest

import (
	"fmt"
	"net/netip"
	"sync/atomic"
	"time"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	accesslogv3 "github.com/envoyproxy/go-control-plane/envoy/service/accesslog/v3"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"google.golang.org/protobuf/proto"

	"github.com/otelcol-pan/otelcol-pan/internal/alsgen"
	"github.com/otelcol-pan/otelcol-pan/receiver/istioals"
)

// Corpus is a load run's traffic, marshalled before the clock starts so the
// generator spends its CPU on sending, not building. Every entry has a unique
// (source address, destination address) pair: the sink's key for loss and
// delay. Entry i of stream s goes to 10.(i>>16).(i>>8&255).(i&255) from
// stream s's own pod address.
type Corpus struct {
	Kind    string
	Streams []StreamCorpus
	Entries int
	Batch   int
	// srcStream maps a stream's pod address to its index.
	srcStream map[string]int
}

// StreamCorpus is one ALS stream's messages, wire-encoded; the first carries
// the identifier, as Envoy sends it.
type StreamCorpus struct {
	ALS  [][]byte
	OTLP [][]byte // the same records as OTLP ExportLogsServiceRequests
	Sent []atomic.Int64
	N    []int // entries per message
}

// otlpRecords is the OTLP form of the baseline: istioals's own records.
const otlpRecords = "records"

// NewCorpus builds entries of kind ("http", "tcp", "mixed") over streams,
// batch entries a message (Envoy flushes ~30 per 16 KiB). otlp also
// prepares an OTLP form of each message: istioals's records for the
// baseline (otlpRecords), or what Istio's envoyOtelAls provider sends
// (alsgen.OTLPText, alsgen.OTLPLabels); "" for none.
func NewCorpus(kind string, streams, entries, batch int, otlp string) (*Corpus, error) {
	c := &Corpus{Kind: kind, Entries: entries, Batch: batch, srcStream: map[string]int{}}
	start := time.Now()
	for s := 0; s < streams; s++ {
		w := alsgen.Workload{Namespace: []string{"default", "payments"}[s%2], Name: fmt.Sprintf("app%d", s), Index: s}
		c.srcStream[w.IP()] = s
		id := w.Identifier()
		share := entries / streams
		if s < entries%streams {
			share++
		}
		var sc StreamCorpus
		for first := 0; first < share; first += batch {
			n := min(batch, share-first)
			msg := alsgen.Message(w, kind, first, n, start.Add(time.Duration(first)*time.Microsecond))
			for j := 0; j < n; j++ {
				i := first + j
				src, dst := addr(w.IP(), uint32(i&0xffff)+1), addr(fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255), 9080)
				if h := msg.GetHttpLogs(); h != nil {
					h.LogEntry[j].CommonProperties.DownstreamRemoteAddress = src
					h.LogEntry[j].CommonProperties.DownstreamLocalAddress = dst
				} else {
					t := msg.GetTcpLogs()
					t.LogEntry[j].CommonProperties.DownstreamRemoteAddress = src
					t.LogEntry[j].CommonProperties.DownstreamLocalAddress = dst
				}
			}
			if first == 0 {
				msg.Identifier = id
			}
			b, err := proto.Marshal(msg)
			if err != nil {
				return nil, err
			}
			sc.ALS = append(sc.ALS, b)
			sc.N = append(sc.N, n)
			if otlp != "" {
				var ld plog.Logs
				if otlp == otlpRecords {
					if ld, err = istioals.ConvertMessage(nil, id, msg, pcommon.NewTimestampFromTime(start)); err != nil {
						return nil, err
					}
				} else {
					ld = alsgen.OTLPLogs(alsgen.StreamEntries([]alsgen.Stream{{Identifier: id, Next: func(i int) (*accesslogv3.StreamAccessLogsMessage, int) {
						if i > 0 {
							return nil, 0
						}
						return msg, n
					}}}), otlp, true)
				}
				ob, err := plogotlp.NewExportRequestFromLogs(ld).MarshalProto()
				if err != nil {
					return nil, err
				}
				sc.OTLP = append(sc.OTLP, ob)
			}
		}
		sc.Sent = make([]atomic.Int64, len(sc.ALS))
		c.Streams = append(c.Streams, sc)
	}
	return c, nil
}

func addr(ip string, port uint32) *corev3.Address {
	return &corev3.Address{Address: &corev3.Address_SocketAddress{SocketAddress: &corev3.SocketAddress{
		Address: ip, PortSpecifier: &corev3.SocketAddress_PortValue{PortValue: port},
	}}}
}

// sentAt is when the message holding entry i of the stream with pod address
// src was sent; ok is false for a key the corpus never produced.
func (c *Corpus) sentAt(src, dst string) (stream, i int, at int64, ok bool) {
	s, found := c.srcStream[src]
	if !found {
		return 0, 0, 0, false
	}
	// The sink runs beside the collector on the same cores: parse the
	// address by hand rather than with fmt.Sscanf.
	ip, err := netip.ParseAddr(dst)
	if err != nil || !ip.Is4() || ip.As4()[0] != 10 {
		return 0, 0, 0, false
	}
	o := ip.As4()
	i = int(o[1])<<16 | int(o[2])<<8 | int(o[3])
	m := i / c.Batch
	if m >= len(c.Streams[s].Sent) {
		return 0, 0, 0, false
	}
	return s, i, c.Streams[s].Sent[m].Load(), true
}

package convert

import (
	"runtime"
	"testing"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	datav3 "github.com/envoyproxy/go-control-plane/envoy/data/accesslog/v3"
	accesslogv3 "github.com/envoyproxy/go-control-plane/envoy/service/accesslog/v3"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
)

// A stream keeps its Scratch while it waits for its next message; after
// Release the scratch must hold nothing of the last one, or every waiting
// stream pins a second message (at a thousand streams, tens of MB).
func TestScratchReleaseLetsTheMessageGo(t *testing.T) {
	entry := &datav3.HTTPAccessLogEntry{
		CommonProperties: &datav3.AccessLogCommon{
			UpstreamCluster: "outbound|9080||reviews.default.svc.cluster.local",
			CustomTags:      map[string]string{"tag": "value"},
			TlsProperties: &datav3.TLSProperties{
				PeerCertificateProperties: &datav3.TLSProperties_CertificateProperties{
					SubjectAltName: []*datav3.TLSProperties_CertificateProperties_SubjectAltName{
						{San: &datav3.TLSProperties_CertificateProperties_SubjectAltName_Uri{Uri: "spiffe://cluster.local/ns/default/sa/web"}},
					},
				},
			},
			DownstreamRemoteAddress: &corev3.Address{Address: &corev3.Address_SocketAddress{SocketAddress: &corev3.SocketAddress{Address: "10.0.0.1"}}},
		},
		Request:  &datav3.HTTPRequestProperties{Path: "/a", RequestHeaders: map[string]string{"x-custom": "v"}},
		Response: &datav3.HTTPResponseProperties{ResponseHeaders: map[string]string{"server": "envoy"}, ResponseTrailers: map[string]string{"grpc-status": "0"}},
	}
	msg, err := proto.Marshal(&accesslogv3.StreamAccessLogsMessage{
		LogEntries: &accesslogv3.StreamAccessLogsMessage_HttpLogs{HttpLogs: &accesslogv3.StreamAccessLogsMessage_HTTPAccessLogEntries{
			LogEntry: []*datav3.HTTPAccessLogEntry{entry, entry},
		}},
	})
	require.NoError(t, err)

	cv := NewConverter(Settings{})
	var st Stream
	freed := make(chan struct{})
	func() {
		b := make([]byte, len(msg))
		copy(b, msg)
		runtime.SetFinalizer(&b[0], func(*byte) { close(freed) })
		_, _, err := cv.Message(b, &st, 0)
		require.NoError(t, err)
		st.Release()
	}()
	// A finalizer runs after the collection that finds the buffer
	// unreachable; a few collections are plenty.
	for range 100 {
		runtime.GC()
		select {
		case <-freed:
			runtime.KeepAlive(&st)
			return
		default:
			runtime.Gosched()
		}
	}
	t.Fatal("the scratch still holds the released message")
}

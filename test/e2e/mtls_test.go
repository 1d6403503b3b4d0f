package e2e

import (
	"context"
	"crypto/tls"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/status"

	"github.com/otelcol-pan/otelcol-pan/internal/alsgen"
)

// Over mTLS, only clients whose certificate carries an allowed SPIFFE ID may
// stream: another identity gets PermissionDenied, no certificate gets no
// connection, and neither produces a record.
func TestMTLSAllowedPrincipals(t *testing.T) {
	const allowed = "spiffe://cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account"
	ca := newTestCA(t)
	ca.issue(t, "server", "")
	gateway := ca.issue(t, "gateway", allowed)
	sleep := ca.issue(t, "sleep", "spiffe://cluster.local/ns/default/sa/sleep")

	alsAddr := freeAddr(t)
	out := tempPath(t, "pan.log")
	c := runCollector(t, fmt.Sprintf(`
receivers:
  istioals:
    endpoint: %s
    tls: {cert_file: %s, key_file: %s, client_ca_file: %s}
    allowed_principals: [%s]
processors: {batch: {timeout: 50ms}}
exporters: {panlogs: {transport: file, file: {path: %s}}}
service: {pipelines: {logs: {receivers: [istioals], processors: [batch], exporters: [panlogs]}}}
`, alsAddr, ca.path("server.pem"), ca.path("server-key.pem"), ca.path("ca.pem"), allowed, out))

	creds := func(certs ...tls.Certificate) credentials.TransportCredentials {
		return credentials.NewTLS(&tls.Config{RootCAs: ca.pool(), Certificates: certs, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12})
	}
	send := func(cr credentials.TransportCredentials, wait time.Duration) error {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		_, err := alsgen.Run(ctx, alsgen.Options{Endpoint: alsAddr, Creds: cr, Wait: wait},
			alsgen.Synthetic("http", []string{"istio-system"}, 1, 5, 5))
		return err
	}

	require.NoError(t, send(creds(gateway), 10*time.Second), "the allowed principal streams")
	require.Len(t, c.waitLines(t, out, 5), 5)

	err := send(creds(sleep), 0)
	require.Error(t, err, "another SPIFFE ID is refused")
	assert.Equal(t, codes.PermissionDenied, status.Code(err), err.Error())

	err = send(creds(), 0)
	require.Error(t, err, "a client without a certificate is refused")
	assert.NotEqual(t, codes.OK, status.Code(err))

	c.stop(t)
	assert.Len(t, fileLines(out), 5, "refused clients produced no records")
	assert.Contains(t, c.logs(), "refused an ALS stream from a principal not in allowed_principals")
}

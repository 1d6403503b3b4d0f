package alsgen

import (
	"context"
	"fmt"
	"io"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// SendOTLP exports ld over OTLP/gRPC to endpoint, as Envoy's OpenTelemetry
// access logger does, waiting up to wait for the receiver to listen. It
// sends one export per resource (Envoy exports one proxy's records).
func SendOTLP(ctx context.Context, endpoint string, wait time.Duration, ld plog.Logs) error {
	conn, err := grpc.NewClient(endpoint, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer conn.Close()
	if err := waitReady(ctx, conn, wait); err != nil {
		return err
	}
	client := plogotlp.NewGRPCClient(conn)
	for _, rl := range ld.ResourceLogs().All() {
		one := plog.NewLogs()
		rl.CopyTo(one.ResourceLogs().AppendEmpty())
		if _, err := client.Export(ctx, plogotlp.NewExportRequestFromLogs(one)); err != nil {
			return fmt.Errorf("otlp export to %s: %w", endpoint, err)
		}
	}
	return nil
}

// WriteZtunnel writes the ztunnel line of every entry that has one, in
// format, framed as the kubelet writes container logs when cri is set; it
// returns how many it wrote.
func WriteZtunnel(w io.Writer, entries []Entry, format string, cri bool) (int, error) {
	n := 0
	for i := range entries {
		line, ok := ZtunnelLine(&entries[i], format)
		if !ok {
			continue
		}
		if cri {
			c := entries[i].common()
			end := c.GetStartTime().AsTime().Add(entryDuration(c))
			line = CRILine(line, end)
		} else {
			line += "\n"
		}
		if _, err := io.WriteString(w, line); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

package loadtest

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/otelcol-pan/otelcol-pan/internal/testutil"
)

// The load harness end to end in seconds: every entry sent over 4 streams
// arrives exactly once, for each of our pipelines (istionorm's on Istio's
// OTLP provider's records included) and the baseline. No
// timing is asserted; `make bench` measures.
func TestSmokeZeroLoss(t *testing.T) {
	bins := Bins{Collector: testutil.Binary(t)}
	for _, sc := range []Scenario{
		{Pipeline: OursJSONFile, Kind: "mixed", Entries: 3000, Streams: 4, Batch: 30},
		{Pipeline: OursCSVFile, Kind: "tcp", Entries: 3000, Streams: 4, Batch: 30},
		{Pipeline: OursOCSFFile, Kind: "mixed", Entries: 3000, Streams: 4, Batch: 30},
		{Pipeline: OursSyslog, Kind: "http", Entries: 3000, Streams: 4, Batch: 30, Rate: 20000},
		{Pipeline: Baseline, Kind: "http", Entries: 3000, Streams: 4, Batch: 30},
		{Pipeline: OTelText, Kind: "mixed", Entries: 3000, Streams: 4, Batch: 30},
		{Pipeline: OTelLabels, Kind: "http", Entries: 3000, Streams: 4, Batch: 30},
	} {
		t.Run(sc.Pipeline+"/"+sc.Kind, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			r, err := Run(ctx, bins, sc, t.TempDir())
			require.NoError(t, err)
			require.Equal(t, sc.Entries, r.Delivered, "delivered")
			require.Zero(t, r.Lost, "lost")
			require.Zero(t, r.Duplicates, "duplicates")
			require.Zero(t, r.Unknown, "records the corpus never sent")
			require.Positive(t, r.CPU, "CPU was sampled")
		})
	}
}

// The fan-in scenario of `make bench`, short: the pipeline and pod settings
// of deploy/, 8 to 1024 Envoy-like streams each on its own connection,
// sending as fast as flow control lets them. Whatever the fan-in, every
// entry the clients sent arrives exactly once and the receiver drops
// nothing. No timing is asserted; `make bench` measures.
func TestSmokeFanInZeroLoss(t *testing.T) {
	bins := Bins{Collector: testutil.Binary(t)}
	for _, streams := range []int{8, 64, 256, 1024} {
		t.Run(strconv.Itoa(streams), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			r, err := RunFanIn(ctx, bins, FanIn{Streams: streams, Duration: 2 * time.Second, Batch: 30, DeployDir: filepath.Join("..", "..", "deploy")}, t.TempDir())
			require.NoError(t, err)
			require.Positive(t, r.Sent)
			require.Equal(t, r.Sent, r.Delivered, "delivered")
			require.Zero(t, r.Duplicates, "duplicates")
			require.Zero(t, r.Unknown, "records the clients never sent")
			require.Zero(t, r.Refused, "entries the receiver dropped")
			require.Positive(t, r.PeakAnon, "anonymous memory was sampled")
		})
	}
}

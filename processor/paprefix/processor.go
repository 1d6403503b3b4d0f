package paprefix // import "github.com/otelcol-pan/otelcol-pan/processor/paprefix"

import (
	"context"

	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-pan/otelcol-pan/internal/fields"
)

type prefixer struct {
	prefix string
}

func newPrefixer(cfg *Config) *prefixer {
	return &prefixer{prefix: cfg.Prefix}
}

// processLogs sets pan.prefix on every record, replacing any value a
// producer upstream may have put there: the operator's config decides.
func (p *prefixer) processLogs(_ context.Context, ld plog.Logs) (plog.Logs, error) {
	rls := ld.ResourceLogs()
	for i := 0; i < rls.Len(); i++ {
		sls := rls.At(i).ScopeLogs()
		for j := 0; j < sls.Len(); j++ {
			lrs := sls.At(j).LogRecords()
			for k := 0; k < lrs.Len(); k++ {
				lrs.At(k).Attributes().PutStr(fields.PanPrefix, p.prefix)
			}
		}
	}
	return ld, nil
}

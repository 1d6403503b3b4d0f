package paprefix // import "github.com/otelcol-pan/otelcol-pan/processor/paprefix"

import (
	"context"
	"sync"

	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-pan/otelcol-pan/internal/fields"
)

type prefixer struct {
	compiled
	// scratch holds per-call working space: receivers call the processor
	// from many goroutines at once, and a pool keeps the hot path free of
	// allocations without a lock.
	scratch sync.Pool
}

// scratch is the reused working space of one processLogs call.
type scratch struct {
	view view   // the attributes the config reads, for the current record
	buf  []byte // the prefix being rendered
	num  []byte // the text of a numeric attribute being matched
	// last is the previous rendered prefix. Records of one batch mostly
	// render the same prefix (one Envoy stream is one workload), and
	// reusing the string saves its allocation.
	last string
}

func newPrefixer(cfg *Config) (*prefixer, error) {
	c, err := compile(cfg)
	if err != nil {
		return nil, err
	}
	p := &prefixer{compiled: c}
	p.scratch.New = func() any {
		return &scratch{
			view: newView(len(p.slots.names)),
			buf:  make([]byte, 0, 2*maxPrefixLen),
			num:  make([]byte, 0, 32),
		}
	}
	return p, nil
}

// processLogs sets pan.prefix on every record, replacing any value a
// producer upstream may have put there: the operator's config decides.
func (p *prefixer) processLogs(_ context.Context, ld plog.Logs) (plog.Logs, error) {
	s := p.scratch.Get().(*scratch)
	defer p.scratch.Put(s)
	rls := ld.ResourceLogs()
	for i := 0; i < rls.Len(); i++ {
		rl := rls.At(i)
		s.view.loadResource(&p.slots, rl.Resource().Attributes())
		sls := rl.ScopeLogs()
		for j := 0; j < sls.Len(); j++ {
			lrs := sls.At(j).LogRecords()
			for k := 0; k < lrs.Len(); k++ {
				attrs := lrs.At(k).Attributes()
				s.view.loadRecord(&p.slots, attrs)
				attrs.PutStr(fields.PanPrefix, p.prefixFor(s))
			}
		}
	}
	return ld, nil
}

// prefixFor picks the first matching rule's template, else the default, and
// renders it for the record loaded in s.view. A static template costs
// nothing; a rendered one at most the string it returns.
func (p *prefixer) prefixFor(s *scratch) string {
	t := &p.prefix
	for i := range p.rules {
		if p.rules[i].matches(&s.view, &s.num) {
			t = &p.rules[i].prefix
			break
		}
	}
	if t.parts == nil {
		return t.static
	}
	s.buf = t.render(s.buf[:0], &s.view)
	if string(s.buf) != s.last {
		s.last = string(s.buf)
	}
	return s.last
}

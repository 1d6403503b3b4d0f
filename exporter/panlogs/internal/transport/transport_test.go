package transport

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// lines builds a batch of the given lines.
func lines(ls ...string) *Batch {
	b := &Batch{}
	for _, l := range ls {
		b.Msgs = append(b.Msgs, Message{LineStart: len(b.Buf), End: len(b.Buf) + len(l), AppName: "p", Severity: 6})
		b.Buf = append(b.Buf, l...)
		b.Buf = append(b.Buf, '\n')
	}
	return b
}

func TestPartialError(t *testing.T) {
	require.NoError(t, partial(3, nil))
	err := partial(0, assert.AnError)
	assert.Equal(t, assert.AnError, err, "nothing delivered: the error as it is")
	var pe *PartialError
	require.ErrorAs(t, partial(2, assert.AnError), &pe)
	assert.Equal(t, 2, pe.Sent)
	require.ErrorIs(t, pe, assert.AnError)
}

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

// text is each message of b as its line.
func text(b Batch) []string {
	var out []string
	for _, m := range b.Msgs {
		out = append(out, string(b.Buf[m.LineStart:m.End+1]))
	}
	return out
}

// Head and Drop split a batch at a line boundary: the head is a batch of
// its own, and what stays is moved to the front with its offsets.
func TestBatchHeadAndDrop(t *testing.T) {
	b := lines("a 1", "bb 22", "ccc 333")
	b.Msgs[2].Severity = 4
	head := b.Head(2)
	assert.Equal(t, "a 1\nbb 22\n", string(head.Buf))
	assert.Equal(t, []string{"a 1\n", "bb 22\n"}, text(head))

	b.Drop(2)
	assert.Equal(t, "ccc 333\n", string(b.Buf))
	assert.Equal(t, []string{"ccc 333\n"}, text(*b))
	assert.Equal(t, 4, b.Msgs[0].Severity, "the message moves with its line")

	b.Drop(1)
	assert.Empty(t, b.Buf)
	assert.Empty(t, b.Msgs)
}

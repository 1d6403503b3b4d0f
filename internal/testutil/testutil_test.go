package testutil

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// The kernel picks a listener's port at random, so among 500 probes it
// offers some port twice almost surely (about 28 000 ports to draw from);
// FreeAddr must still never hand the same address out twice, or two
// components of one collector would be given the same port.
func TestFreeAddrNeverRepeats(t *testing.T) {
	seen := map[string]bool{}
	for range 500 {
		a := MustFreeAddr(t)
		require.False(t, seen[a], "address %s handed out twice", a)
		seen[a] = true
	}
}

package e2e

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"
)

// distVersion is dist.version in builder-config.yaml: the version ocb
// writes into the binary.
func distVersion(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../builder-config.yaml")
	require.NoError(t, err)
	var cfg struct {
		Dist struct {
			Version string `json:"version"`
		} `json:"dist"`
	}
	require.NoError(t, yaml.Unmarshal(b, &cfg))
	require.Regexp(t, `^\d+\.\d+\.\d+$`, cfg.Dist.Version)
	return cfg.Dist.Version
}

// `otelcol-pan --version` prints the distribution's version, followed by
// the commit when the Makefile stamped one ("+<12 hex digits>", ".dirty" for
// uncommitted changes), and the CHANGELOG's latest release is that version.
func TestVersion(t *testing.T) {
	want := distVersion(t)
	out, err := otelcolPan(t, "--version")
	require.NoError(t, err, out)
	require.Regexp(t, `^otelcol-pan version `+regexp.QuoteMeta(want)+`(\+[0-9a-f]{12}(\.dirty)?)?\n$`, out)

	changelog, err := os.ReadFile("../../CHANGELOG.md")
	require.NoError(t, err)
	var releases []string
	for _, line := range strings.Split(string(changelog), "\n") {
		if m := regexp.MustCompile(`^## \[([^\]]+)\]`).FindStringSubmatch(line); m != nil {
			releases = append(releases, m[1])
		}
	}
	require.GreaterOrEqual(t, len(releases), 2, "CHANGELOG.md: an Unreleased section and at least one release")
	assert.Equal(t, "Unreleased", releases[0], "CHANGELOG.md starts with the Unreleased section")
	assert.Equal(t, want, releases[1], "CHANGELOG.md's latest release is builder-config.yaml's dist.version")
}

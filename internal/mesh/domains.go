package mesh // import "github.com/otelcol-pan/otelcol-pan/internal/mesh"

import (
	"errors"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
)

// DefaultDomain is Kubernetes' default cluster domain: the mesh domain when
// none is configured.
const DefaultDomain = "cluster.local"

// Domains are the DNS suffixes of the services inside the mesh (the
// mesh_domains of the receiver and of the serviceentry exporter). A host is
// in the mesh when it is one of them or under one, compared as DNS compares
// names: without regard to case or a trailing dot.
type Domains struct {
	list []string // normalised
}

// NewDomains holds the given suffixes; an empty list holds none (nothing is
// in the mesh).
func NewDomains(suffixes []string) Domains {
	d := Domains{list: make([]string, 0, len(suffixes))}
	for _, s := range suffixes {
		d.list = append(d.list, NormalizeName(s))
	}
	return d
}

// DefaultDomains holds DefaultDomain alone.
func DefaultDomains() Domains { return NewDomains([]string{DefaultDomain}) }

// Contains reports whether host is one of the domains or under one. It
// allocates nothing.
func (d Domains) Contains(host string) bool {
	host = strings.TrimSuffix(host, ".")
	for _, s := range d.list {
		switch {
		case len(host) == len(s):
			if strings.EqualFold(host, s) {
				return true
			}
		case len(host) > len(s):
			if host[len(host)-len(s)-1] == '.' && strings.EqualFold(host[len(host)-len(s):], s) {
				return true
			}
		}
	}
	return false
}

// errNotDomain is what ValidateDomain says of a value that is no DNS suffix.
var errNotDomain = errors.New("is not a DNS suffix such as " + DefaultDomain)

// ValidateDomain checks a configured mesh domain: a DNS subdomain (RFC 1123,
// as Kubernetes checks names), in any case, with or without a trailing dot.
// Callers prefix the error with the key and the value.
func ValidateDomain(s string) error {
	if len(validation.IsDNS1123Subdomain(NormalizeName(s))) > 0 {
		return errNotDomain
	}
	return nil
}

// NormalizeName lower-cases a host name and drops a trailing dot: names are
// case-insensitive and "example.com." is "example.com". It allocates only
// when the name has an upper-case letter.
func NormalizeName(s string) string {
	s = strings.TrimSuffix(s, ".")
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}

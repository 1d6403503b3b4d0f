// Package encoding is an empty stand-in: only the contrib file exporter's tests
// import it, and the module proxy here refuses the real module. ocb's
// go mod tidy resolves test imports too, so it needs the import path to exist.
package encoding

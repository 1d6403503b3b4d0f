// Package convert turns Envoy ALS v3 messages into OTel log records named as
// in docs/record.md. Messages are read straight off the wire (wire.go) into
// reused views whose strings point into the received bytes: no generated
// protos for the entries, no String(), no reflection, no map of the node per
// entry. Converter.Message is the one path from a received message to
// records, for the receiver, its golden tests and istioals.ConvertMessage.
package convert

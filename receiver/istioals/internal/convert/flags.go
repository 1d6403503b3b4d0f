package convert

// flagString renders response flags as Envoy's short codes
// (%RESPONSE_FLAGS%), comma-joined in Envoy's order; "" when none is set.
func flagString(flags uint32) string {
	if flags == 0 {
		return ""
	}
	var buf [96]byte
	b := buf[:0]
	for _, f := range flagCodes {
		if flags&f.bit != 0 {
			if len(b) > 0 {
				b = append(b, ',')
			}
			b = append(b, f.code...)
		}
	}
	return string(b)
}

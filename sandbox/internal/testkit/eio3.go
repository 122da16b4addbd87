package testkit

import "strconv"

// EIO3BinaryFrame frames string packets the way python-engineio 3 posts them:
// 0, the length as decimal digit bytes, 0xFF, the packet.
func EIO3BinaryFrame(packets ...string) []byte {
	var out []byte
	for _, packet := range packets {
		out = append(out, 0)
		for _, d := range strconv.Itoa(len(packet)) {
			out = append(out, byte(d-'0'))
		}
		out = append(out, 0xFF)
		out = append(out, packet...)
	}
	return out
}

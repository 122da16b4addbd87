package widget

import (
	"bytes"
	"encoding/base64"
	"io"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"twin-panel/sandbox/internal/httpapi"
)

// Engine.IO 3 clients may POST polling payloads in the binary framing
// (Content-Type application/octet-stream): per packet a 0 (string) or 1
// (binary) byte, the length in bytes as decimal digit bytes, 0xFF, the
// packet. python-engineio 3.x, under the seed's python-socketio 4.6.1,
// always does. The Socket.IO library (engine.io-go-parser v1.3.2) reads
// ahead while decoding that framing and seeks back one byte too far when
// a packet is followed by another, so it loses every packet after the
// first: a python client's "disconnect + close" POST leaves the server
// waiting for a ping timeout. WithEIO3TextPayloads rewrites such bodies
// into the equivalent text framing (<UTF-16 length>:<packet>, binary
// packets as "b<type><base64>"), which the library decodes correctly. The
// packets themselves are untouched.

// EIO3BinaryType is the Content-Type of the binary payload framing.
const EIO3BinaryType = "application/octet-stream"

// WithEIO3TextPayloads converts EIO 3 binary-framed polling POSTs for next;
// anything else (EIO 4, WebSocket, text framing, a body that is not valid
// binary framing) passes unchanged.
func WithEIO3TextPayloads(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != EIO3BinaryType ||
			q.Get("transport") != "polling" || q.Get("EIO") == "4" {
			next.ServeHTTP(w, r)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, httpapi.MaxBodyBytes))
		if err != nil {
			httpapi.WriteBadRequest(w, err)
			return
		}
		if text, ok := eio3BinaryToText(body); ok {
			r.Body, r.ContentLength = io.NopCloser(strings.NewReader(text)), int64(len(text))
			r.Header.Set("Content-Type", "text/plain;charset=UTF-8")
		} else {
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		next.ServeHTTP(w, r)
	})
}

// eio3BinaryToText re-frames an EIO 3 binary payload as a text payload; ok
// is false for an empty or malformed body.
func eio3BinaryToText(body []byte) (string, bool) {
	if len(body) == 0 {
		return "", false
	}
	var out strings.Builder
	for i := 0; i < len(body); {
		kind := body[i]
		i++
		if kind > 1 {
			return "", false
		}
		n, digits := 0, 0
		for ; i < len(body) && body[i] != 0xFF; i++ {
			if body[i] > 9 || digits == 9 {
				return "", false
			}
			n, digits = n*10+int(body[i]), digits+1
		}
		if i == len(body) || digits == 0 || len(body)-i-1 < n {
			return "", false
		}
		packet := body[i+1 : i+1+n]
		i += 1 + n
		var text string
		switch {
		case kind == 0 && utf8.Valid(packet):
			text = string(packet)
		case kind == 1 && n > 0:
			text = "b" + strconv.Itoa(int(packet[0])) + base64.StdEncoding.EncodeToString(packet[1:])
		default:
			return "", false
		}
		out.WriteString(strconv.Itoa(utf16Len(text)))
		out.WriteByte(':')
		out.WriteString(text)
	}
	return out.String(), true
}

// utf16Len is the length of s in UTF-16 code units, JavaScript's length,
// which text payloads count in.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

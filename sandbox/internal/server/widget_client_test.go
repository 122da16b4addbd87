package server

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// eioPoller is a minimal Engine.IO long-polling client, enough to drive the
// widget endpoint from Go tests in either protocol version: EIO 4 joins
// packets with \x1e, EIO 3 frames them as "<UTF-16 length>:<packet>".
type eioPoller struct {
	t       *testing.T
	url     string // .../socket.io/?EIO=N&transport=polling&sid=...
	eio     int
	pending []string // received packets not yet consumed
}

// pollTimeout bounds one long-poll; the server answers a poll at the
// latest with a ping, after pingInterval (25 s), so tests wait less.
const pollTimeout = 5 * time.Second

// openPoller performs the Engine.IO handshake with the extra query
// parameters and returns the client, its open packet consumed.
func openPoller(t *testing.T, base string, eio int, query url.Values) *eioPoller {
	t.Helper()
	q := url.Values{"EIO": {strconv.Itoa(eio)}, "transport": {"polling"}}
	for k, v := range query {
		q[k] = v
	}
	p := &eioPoller{t: t, eio: eio}
	packets := p.get(base + "/socket.io/?" + q.Encode())
	if len(packets) == 0 || !strings.HasPrefix(packets[0], "0{") {
		t.Fatalf("handshake answered %q", packets)
	}
	var open struct {
		SID string `json:"sid"`
	}
	if err := json.Unmarshal([]byte(packets[0][1:]), &open); err != nil || open.SID == "" {
		t.Fatalf("open packet %q: %v", packets[0], err)
	}
	q.Set("sid", open.SID)
	p.url = base + "/socket.io/?" + q.Encode()
	p.pending = packets[1:]
	return p
}

// get runs one long-poll and decodes its payload.
func (p *eioPoller) get(u string) []string {
	p.t.Helper()
	client := http.Client{Timeout: pollTimeout}
	res, err := client.Get(u)
	if err != nil {
		p.t.Fatalf("poll: %v", err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		p.t.Fatalf("poll: %d %s", res.StatusCode, body)
	}
	if p.eio == 4 {
		return strings.Split(string(body), "\x1e")
	}
	return decodeTextPayload(p.t, string(body))
}

// send posts packets in the version's text framing.
func (p *eioPoller) send(packets ...string) {
	p.t.Helper()
	var body string
	if p.eio == 4 {
		body = strings.Join(packets, "\x1e")
	} else {
		for _, packet := range packets {
			body += strconv.Itoa(len(utf16.Encode([]rune(packet)))) + ":" + packet
		}
	}
	p.post("text/plain;charset=UTF-8", []byte(body))
}

// post sends a raw payload body.
func (p *eioPoller) post(contentType string, body []byte) {
	p.t.Helper()
	res, err := http.Post(p.url, contentType, bytes.NewReader(body))
	if err != nil {
		p.t.Fatalf("post: %v", err)
	}
	defer res.Body.Close()
	answer, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK || string(answer) != "ok" {
		p.t.Fatalf("post %q: %d %q", body, res.StatusCode, answer)
	}
}

// expect returns the first packet, received from now on, that starts with
// prefix; pings are answered, other packets skipped.
func (p *eioPoller) expect(prefix string) string {
	p.t.Helper()
	deadline := time.Now().Add(2 * pollTimeout)
	for {
		for len(p.pending) > 0 {
			packet := p.pending[0]
			p.pending = p.pending[1:]
			if packet == "2" && p.eio == 4 {
				p.send("3")
				continue
			}
			if strings.HasPrefix(packet, prefix) {
				return packet
			}
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("no packet %q", prefix)
		}
		p.pending = p.get(p.url)
	}
}

// expectEvent waits for the Socket.IO event name on the default namespace
// and decodes its first argument.
func (p *eioPoller) expectEvent(name string) map[string]any {
	p.t.Helper()
	packet := p.expect(`42["` + name + `"`)
	var args []json.RawMessage
	if err := json.Unmarshal([]byte(packet[2:]), &args); err != nil || len(args) < 2 {
		p.t.Fatalf("event packet %q: %v", packet, err)
	}
	var data map[string]any
	if err := json.Unmarshal(args[1], &data); err != nil {
		p.t.Fatalf("event data %s: %v", args[1], err)
	}
	return data
}

// expectAck waits for the ack with id and decodes its first argument.
func (p *eioPoller) expectAck(id int) map[string]any {
	p.t.Helper()
	packet := p.expect("43" + strconv.Itoa(id) + "[")
	var args []map[string]any
	if err := json.Unmarshal([]byte(strings.TrimPrefix(packet, "43"+strconv.Itoa(id))), &args); err != nil || len(args) != 1 {
		p.t.Fatalf("ack packet %q: %v", packet, err)
	}
	return args[0]
}

// decodeTextPayload splits an EIO 3 text payload.
func decodeTextPayload(t *testing.T, body string) []string {
	t.Helper()
	var packets []string
	for body != "" {
		colon := strings.IndexByte(body, ':')
		n, err := strconv.Atoi(body[:max(colon, 0)])
		if colon < 0 || err != nil {
			t.Fatalf("bad EIO 3 payload %q", body)
		}
		body = body[colon+1:]
		end := 0
		for units := 0; units < n; {
			r, size := utf8.DecodeRuneInString(body[end:])
			if size == 0 {
				t.Fatalf("short EIO 3 packet in %q", body)
			}
			units += utf16.RuneLen(r)
			end += size
		}
		packets = append(packets, body[:end])
		body = body[end:]
	}
	return packets
}

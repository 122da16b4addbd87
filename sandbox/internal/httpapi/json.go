// Package httpapi holds the platform's HTTP conventions the services share:
// JSON answers and the {error, details} body, method routing, typed API
// errors, ids given as strings or numbers, and CORS for loopback origins.
package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"sort"
	"strings"
)

// ISODateTime formats times as the platform's examples do:
// 2018-05-27T21:30:54+00:00.
const ISODateTime = "2006-01-02T15:04:05-07:00"

// MaxBodyBytes bounds request bodies; the garbage fault accepts ~10 MB payloads.
const MaxBodyBytes = 16 << 20

// errorBody is the platform's error shape: {"error": string, "details": any}.
type errorBody struct {
	Error   string `json:"error"`
	Details any    `json:"details"`
}

// WriteJSON sends v with the given status. HTML escaping is off so payloads
// come back byte-for-byte readable.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		log.Printf("encode response: %v", err)
		status = http.StatusInternalServerError
		buf.Reset()
		buf.WriteString(`{"error":"Internal server error.","details":null}` + "\n")
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// WriteError sends the platform's JSON error body.
func WriteError(w http.ResponseWriter, status int, message string, details any) {
	WriteJSON(w, status, errorBody{Error: message, Details: details})
}

// DecodeJSON reads a JSON object body into dst. An empty body is treated as
// {} so endpoints whose fields are all optional accept a bare POST.
func DecodeJSON(w http.ResponseWriter, r *http.Request, dst any) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		return fmt.Errorf("cannot read body: %w", err)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(dst); err != nil {
		return fmt.Errorf("malformed JSON body: %w", err)
	}
	if dec.More() {
		return errors.New("malformed JSON body: trailing data")
	}
	return nil
}

// ReadJSON is DecodeJSON that answers 400 itself; it reports whether dst
// was filled.
func ReadJSON(w http.ResponseWriter, r *http.Request, dst any) bool {
	if err := DecodeJSON(w, r, dst); err != nil {
		WriteBadRequest(w, err)
		return false
	}
	return true
}

// WriteBadRequest answers 400 for a body DecodeJSON rejected.
func WriteBadRequest(w http.ResponseWriter, err error) {
	WriteError(w, http.StatusBadRequest, "Bad request.", map[string]string{"message": err.Error()})
}

// Methods routes one path by HTTP method and answers others with a JSON 405,
// so every response under the API prefixes keeps the platform's error shape.
type Methods map[string]http.HandlerFunc

func (m Methods) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h, ok := m[r.Method]; ok {
		h(w, r)
		return
	}
	if r.Method == http.MethodHead {
		if h, ok := m[http.MethodGet]; ok {
			h(w, r)
			return
		}
	}
	allowed := make([]string, 0, len(m))
	for method := range m {
		allowed = append(allowed, method)
	}
	sort.Strings(allowed)
	w.Header().Set("Allow", strings.Join(allowed, ", "))
	WriteError(w, http.StatusMethodNotAllowed, "Method not allowed.", nil)
}

// NotFound answers unknown API paths with a JSON 404.
func NotFound(w http.ResponseWriter, _ *http.Request) {
	WriteError(w, http.StatusNotFound, "Not found.", nil)
}

// Error is a failure the chats service reports with the platform's status
// and error body.
type Error struct {
	Status  int
	Message string
	Details any
}

func (e *Error) Error() string { return e.Message }

// NewError returns an Error without details.
func NewError(status int, message string) *Error {
	return &Error{Status: status, Message: message}
}

// ValidationError is "Validation failed." with the problems by field.
func ValidationError(status int, problems map[string]string) *Error {
	return &Error{Status: status, Message: "Validation failed.", Details: problems}
}

// WriteAPIError answers err: an Error as itself, anything else as a 500.
func WriteAPIError(w http.ResponseWriter, err error) {
	var ae *Error
	if errors.As(err, &ae) {
		WriteError(w, ae.Status, ae.Message, ae.Details)
		return
	}
	log.Printf("internal error: %v", err)
	WriteError(w, http.StatusInternalServerError, "Internal server error.", nil)
}

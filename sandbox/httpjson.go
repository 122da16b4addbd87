package main

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

// maxBodyBytes bounds request bodies; the garbage fault accepts ~10 MB payloads.
const maxBodyBytes = 16 << 20

// errorBody is the platform's error shape: {"error": string, "details": any}.
type errorBody struct {
	Error   string `json:"error"`
	Details any    `json:"details"`
}

// writeJSON sends v with the given status. HTML escaping is off so payloads
// come back byte-for-byte readable.
func writeJSON(w http.ResponseWriter, status int, v any) {
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

// writeError sends the platform's JSON error body.
func writeError(w http.ResponseWriter, status int, message string, details any) {
	writeJSON(w, status, errorBody{Error: message, Details: details})
}

// decodeJSON reads a JSON object body into dst. An empty body is treated as
// {} so endpoints whose fields are all optional accept a bare POST.
func decodeJSON(w http.ResponseWriter, r *http.Request, dst any) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
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

// writeBadRequest answers 400 for a body decodeJSON rejected.
func writeBadRequest(w http.ResponseWriter, err error) {
	writeError(w, http.StatusBadRequest, "Bad request.", map[string]string{"message": err.Error()})
}

// methods routes one path by HTTP method and answers others with a JSON 405,
// so every response under the API prefixes keeps the platform's error shape.
type methods map[string]http.HandlerFunc

func (m methods) ServeHTTP(w http.ResponseWriter, r *http.Request) {
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
	writeError(w, http.StatusMethodNotAllowed, "Method not allowed.", nil)
}

// notFound answers unknown API paths with a JSON 404.
func notFound(w http.ResponseWriter, _ *http.Request) {
	writeError(w, http.StatusNotFound, "Not found.", nil)
}

// apiError is a failure the chats service reports with the platform's status
// and error body.
type apiError struct {
	status  int
	message string
	details any
}

func (e *apiError) Error() string { return e.message }

// newAPIError returns an apiError without details.
func newAPIError(status int, message string) *apiError {
	return &apiError{status: status, message: message}
}

// validationError is "Validation failed." with the problems by field.
func validationError(status int, problems map[string]string) *apiError {
	return &apiError{status: status, message: "Validation failed.", details: problems}
}

// writeAPIError answers err: an apiError as itself, anything else as a 500.
func writeAPIError(w http.ResponseWriter, err error) {
	var ae *apiError
	if errors.As(err, &ae) {
		writeError(w, ae.status, ae.message, ae.details)
		return
	}
	log.Printf("internal error: %v", err)
	writeError(w, http.StatusInternalServerError, "Internal server error.", nil)
}

// errString is a constant error message.
type errString string

func (e errString) Error() string { return string(e) }

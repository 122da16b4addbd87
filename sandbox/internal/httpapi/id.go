package httpapi

import (
	"encoding/json"
	"errors"
	"strconv"
)

// ID accepts an id given as a JSON string or number, as the platform's
// user and operator ids come both ways.
type ID string

// UnmarshalJSON reads a string or an integer.
func (u *ID) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*u = ID(s)
		return nil
	}
	var n int64
	if err := json.Unmarshal(b, &n); err != nil {
		return errors.New("must be a string or an integer")
	}
	*u = ID(strconv.FormatInt(n, 10))
	return nil
}

package collector

import (
	"encoding/json"
	"strconv"
	"strings"
)

// flexInt decodes a JSON number, a numeric string or null (tools print
// sizes either way depending on their version).
type flexInt int64

func (f *flexInt) UnmarshalJSON(b []byte) error {
	s := strings.Trim(strings.TrimSpace(string(b)), `"`)
	if s == "" || s == "null" {
		*f = 0
		return nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		*f = flexInt(n)
		return nil
	}
	if x, err := strconv.ParseFloat(s, 64); err == nil {
		*f = flexInt(x)
		return nil
	}
	*f = 0 // unparseable values count as unknown, not as a failure
	return nil
}

// flexBool decodes true/false, "1"/"0", "True"/"False" or null.
type flexBool bool

func (f *flexBool) UnmarshalJSON(b []byte) error {
	s := strings.ToLower(strings.Trim(strings.TrimSpace(string(b)), `"`))
	*f = flexBool(s == "true" || s == "1" || s == "yes" || s == "on")
	return nil
}

// flexString decodes a string, a number or null as a string.
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*f = flexString(s)
		return nil
	}
	t := strings.TrimSpace(string(b))
	if t == "null" {
		*f = ""
		return nil
	}
	*f = flexString(t)
	return nil
}

// oneOrMany decodes a JSON array or a single object (PowerShell's
// ConvertTo-Json writes one element without the brackets).
type oneOrMany[T any] []T

func (o *oneOrMany[T]) UnmarshalJSON(b []byte) error {
	t := strings.TrimSpace(string(b))
	if t == "null" || t == "" {
		*o = nil
		return nil
	}
	if strings.HasPrefix(t, "[") {
		var v []T
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*o = v
		return nil
	}
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*o = []T{v}
	return nil
}

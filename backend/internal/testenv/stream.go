package testenv

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// CallStream calls a server-streaming procedure with the Connect protocol's
// JSON streaming envelope, as an integrator's client would, and reads the
// whole stream. The Response's Code is "ok" or the end-of-stream error's
// code, Messages holds every message in order, Body the error (when there
// was one) and Raw every payload, so leak checks see all of it.
func CallStream(t *testing.T, baseURL, procedure, token string, body any) *Response {
	t.Helper()
	raw := requestBody(t, body)
	env := make([]byte, 5, 5+len(raw))
	binary.BigEndian.PutUint32(env[1:], uint32(len(raw)))
	env = append(env, raw...)
	req, err := http.NewRequest(http.MethodPost, strings.TrimRight(baseURL, "/")+"/"+strings.TrimPrefix(procedure, "/"), bytes.NewReader(env))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/connect+json")
	req.Header.Set("Connect-Protocol-Version", "1")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("call %s: %v", procedure, err)
	}
	defer func() { _ = res.Body.Close() }()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("read %s: %v", procedure, err)
	}
	out := &Response{Status: res.StatusCode, Header: res.Header, Code: "ok"}
	if res.StatusCode != http.StatusOK {
		// Refused before streaming (e.g. by the guard's middleware): a
		// unary-style error body.
		out.Raw = data
		_ = json.Unmarshal(data, &out.Body)
		out.Code, _ = out.Body["code"].(string)
		if out.Code == "" {
			out.Code = "http_" + http.StatusText(res.StatusCode)
		}
		return out
	}
	var payloads [][]byte
	for len(data) >= 5 {
		flags := data[0]
		n := int(binary.BigEndian.Uint32(data[1:5]))
		if len(data) < 5+n {
			t.Fatalf("%s: truncated stream envelope", procedure)
		}
		payload := data[5 : 5+n]
		data = data[5+n:]
		payloads = append(payloads, payload)
		if flags&0x02 != 0 {
			var end struct {
				Error map[string]any `json:"error"`
			}
			if err := json.Unmarshal(payload, &end); err != nil {
				t.Fatalf("%s: bad end of stream %q: %v", procedure, payload, err)
			}
			if end.Error != nil {
				out.Body = end.Error
				out.Code, _ = end.Error["code"].(string)
				if out.Code == "" {
					out.Code = "unknown"
				}
			}
			continue
		}
		var m map[string]any
		if err := json.Unmarshal(payload, &m); err != nil {
			t.Fatalf("%s: bad stream message %q: %v", procedure, payload, err)
		}
		out.Messages = append(out.Messages, m)
	}
	out.Raw = bytes.Join(payloads, []byte("\n"))
	return out
}

package testenv

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// Response is the outcome of a Connect JSON call: the code ("ok" on
// success, else the Connect error code) and the decoded body.
type Response struct {
	Status int
	Code   string
	Body   map[string]any
	Raw    []byte
	Header http.Header
	// Messages are the messages of a streamed answer (CallStream).
	Messages []map[string]any
}

// Call posts body (a JSON string or any value to marshal) to procedure
// ("wegweiser.v1.TenantService/ListOrganisations") as an integrator's curl
// would, with a bearer token when token is not empty.
func Call(t *testing.T, baseURL, procedure, token string, body any) *Response {
	t.Helper()
	raw := requestBody(t, body)
	req, err := http.NewRequest(http.MethodPost, strings.TrimRight(baseURL, "/")+"/"+strings.TrimPrefix(procedure, "/"), bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
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
	out := &Response{Status: res.StatusCode, Raw: data, Header: res.Header, Code: "ok"}
	if len(data) > 0 {
		_ = json.Unmarshal(data, &out.Body)
	}
	if res.StatusCode != http.StatusOK {
		out.Code, _ = out.Body["code"].(string)
		if out.Code == "" {
			out.Code = "http_" + http.StatusText(res.StatusCode)
		}
	}
	return out
}

// Must fails the test unless the call succeeded, and returns the body.
func (r *Response) Must(t *testing.T) map[string]any {
	t.Helper()
	if r.Code != "ok" {
		t.Fatalf("call failed: %s: %s", r.Code, r.Raw)
	}
	return r.Body
}

// Str returns a string at a dotted path in the body ("organisation.id").
func (r *Response) Str(path string) string {
	var cur any = r.Body
	for _, p := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return ""
		}
		cur = m[p]
	}
	s, _ := cur.(string)
	return s
}

// requestBody is body as JSON: a string or bytes as they are, any other value
// marshalled.
func requestBody(t *testing.T, body any) []byte {
	t.Helper()
	switch b := body.(type) {
	case string:
		return []byte(b)
	case []byte:
		return b
	}
	raw, err := json.Marshal(body)
	if err != nil {
		t.Fatalf("marshal request: %v", err)
	}
	return raw
}

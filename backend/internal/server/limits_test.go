package server_test

// Limits are a wire matter (body sizes, compression, headers): these tests
// post raw JSON with testenv.Call, as an integrator's curl would.

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/wegweiser/wegweiser/backend/internal/authz"
	"github.com/wegweiser/wegweiser/backend/internal/enrolment"
	"github.com/wegweiser/wegweiser/backend/internal/server"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/testenv"
	"github.com/wegweiser/wegweiser/ent/device"
)

// readRecorder is a request body that records whether anyone read it.
type readRecorder struct {
	r    io.Reader
	read atomic.Bool
}

func (b *readRecorder) Read(p []byte) (int, error) {
	b.read.Store(true)
	return b.r.Read(p)
}

// rawResult is the outcome of a call made straight into the handler.
type rawResult struct {
	Code, Message string
	BodyRead      bool
}

// rawCall serves one Connect unary call in process, so that the test sees
// whether the handler read the request body. ctype is "json" or "proto";
// gzipped bodies say so with Content-Encoding.
func rawCall(t *testing.T, h http.Handler, procedure, auth, ctype string, gzipped bool, body []byte) rawResult {
	t.Helper()
	rec := &readRecorder{r: bytes.NewReader(body)}
	req := httptest.NewRequest(http.MethodPost, "/"+strings.TrimPrefix(procedure, "/"), rec)
	req.Header.Set("Content-Type", "application/"+ctype)
	if gzipped {
		req.Header.Set("Content-Encoding", "gzip")
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	out := rawResult{Code: "ok", BodyRead: rec.read.Load()}
	if w.Code != http.StatusOK {
		var e struct{ Code, Message string }
		_ = json.Unmarshal(w.Body.Bytes(), &e)
		out.Code, out.Message = e.Code, e.Message
		if out.Code == "" {
			out.Code = "http_" + http.StatusText(w.Code)
		}
	}
	return out
}

func gzipped(t *testing.T, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// gzipBomb is a small gzip stream that inflates to n zero bytes.
func gzipBomb(t *testing.T, n int) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	chunk := make([]byte, 1<<20)
	for written := 0; written < n; written += len(chunk) {
		if _, err := zw.Write(chunk); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// allocatedMiB is the process's cumulative allocation, for sanity logs.
func allocatedMiB() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.TotalAlloc >> 20
}

// TestAgentCredentialCheckedBeforeBody is defect 3: a call with a missing
// or bad credential is refused without its body being read (a gzip bomb
// behind a bogus token costs nothing), for agent and user procedures and
// for an enrolment key sent as the bearer credential.
func TestAgentCredentialCheckedBeforeBody(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		srv := testenv.StartServer(t, st)
		ten := testenv.NewTenant(t, srv, "bomb")
		agent := ten.Enrol(t, "bomb-host")
		user := ten.Login(t, ten.Owner)
		h := srv.App.Handler()
		bomb := gzipBomb(t, 64<<20)
		before := allocatedMiB()
		cases := []struct {
			name, procedure, auth, code string
		}{
			{"bogus device token", submit, "Bearer " + enrolment.DeviceTokenPrefix + "bogus", "unauthenticated"},
			{"no token", submit, "", "unauthenticated"},
			{"malformed header", submit, "Token x", "unauthenticated"},
			{"user token on agent call", heartbeat, "Bearer " + user, "unauthenticated"},
			{"bogus access token", "wegweiser.v1.DeviceService/ListDevices", "Bearer eyJhbGciOiJIUzI1NiJ9.e30.bogus", "unauthenticated"},
			{"device token on user call", "wegweiser.v1.DeviceService/ListDevices", "Bearer " + agent.Token, "unauthenticated"},
			{"no access token", "wegweiser.v1.TenantService/UpdateTenant", "", "unauthenticated"},
			{"bogus enrolment key", enroll, "Bearer wwe_bogus", "permission_denied"},
			{"not an enrolment key", enroll, "Bearer " + agent.Token, "invalid_argument"},
		}
		for _, c := range cases {
			for _, ctype := range []string{"proto", "json"} {
				res := rawCall(t, h, c.procedure, c.auth, ctype, true, bomb)
				if res.Code != c.code {
					t.Errorf("%s (%s): %s %q, want %s", c.name, ctype, res.Code, res.Message, c.code)
				}
				if res.BodyRead {
					t.Errorf("%s (%s): the body was read before the credential was refused", c.name, ctype)
				}
			}
		}
		t.Logf("%d refused bombs allocated %d MiB", 2*len(cases), allocatedMiB()-before)
		// gRPC clients get the refusal in their protocol, too.
		rec := &readRecorder{r: bytes.NewReader(bomb)}
		req := httptest.NewRequest(http.MethodPost, "/"+submit, rec)
		req.Header.Set("Content-Type", "application/grpc")
		req.Header.Set("Grpc-Encoding", "gzip")
		req.Header.Set("Authorization", "Bearer "+enrolment.DeviceTokenPrefix+"bogus")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if got := w.Header().Get("Grpc-Status"); got != "16" || rec.read.Load() {
			t.Errorf("gRPC call with a bogus token: grpc-status %q (want 16, unauthenticated), body read %v", got, rec.read.Load())
		}
		if n := snapshotRows(t, st, agent.DeviceID); n != 0 {
			t.Fatalf("%d snapshots stored", n)
		}
		// The same token with a real body still works.
		testenv.Call(t, srv.URL, submit, agent.Token, testenv.SnapshotJSON(testenv.SampleSnapshot("bomb-host", 3, 1))).Must(t)
	})
}

// TestAgentGzipBombIsNotInflated: with a valid device token, a gzip bomb
// (256 MiB of zeros in a quarter megabyte) is refused as resource_exhausted
// once the output passes the 16 MiB limit; the server never learns its
// full size because it stops inflating.
func TestAgentGzipBombIsNotInflated(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		srv := testenv.StartServer(t, st)
		ten := testenv.NewTenant(t, srv, "bomb2")
		agent := ten.Enrol(t, "bomb2-host")
		h := srv.App.Handler()
		bomb := gzipBomb(t, 256<<20)
		before := allocatedMiB()
		for _, ctype := range []string{"proto", "json"} {
			res := rawCall(t, h, submit, "Bearer "+agent.Token, ctype, true, bomb)
			if res.Code != "resource_exhausted" {
				t.Fatalf("gzip bomb (%s): %s %q, want resource_exhausted", ctype, res.Code, res.Message)
			}
			if strings.Contains(res.Message, "268435456") {
				t.Fatalf("the server inflated the whole bomb to count it: %s", res.Message)
			}
		}
		t.Logf("two refused bombs allocated %d MiB", allocatedMiB()-before)
		if n := snapshotRows(t, st, agent.DeviceID); n != 0 {
			t.Fatalf("%d snapshots stored", n)
		}
	})
}

// manyEmptyOsquery is a SubmitSnapshotRequest in protobuf whose snapshot
// has n empty osquery results (3 bytes each on the wire).
func manyEmptyOsquery(t *testing.T, host string, n int) []byte {
	t.Helper()
	inner, err := proto.Marshal(testenv.SampleSnapshot(host, 1, 0))
	if err != nil {
		t.Fatal(err)
	}
	empty := protowire.AppendBytes(protowire.AppendTag(nil, 17, protowire.BytesType), nil)
	inner = append(inner, bytes.Repeat(empty, n)...)
	return protowire.AppendBytes(protowire.AppendTag(nil, 1, protowire.BytesType), inner)
}

// TestMillionsOfEmptyElementsAreRefused: a body under the size limit that
// holds 5 million empty list elements is refused before it is unmarshalled
// (so before 5 million structs are built), in protobuf and in JSON, and
// so is one that spreads its elements over many lists; nothing is stored.
func TestMillionsOfEmptyElementsAreRefused(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		srv := testenv.StartServer(t, st)
		ten := testenv.NewTenant(t, srv, "lists")
		agent := ten.Enrol(t, "lists-host")
		h := srv.App.Handler()
		const n = 5_000_000
		pb := manyEmptyOsquery(t, "lists-host", n)
		snapJSON := string(testenv.SnapshotJSON(testenv.SampleSnapshot("lists-host", 1, 0)))
		js := []byte(strings.TrimSuffix(snapJSON, "}") + `,"osquery":[{}` + strings.Repeat(`,{}`, n-1) + `]}`)
		// 6 results of 99,999 rows each: every list under its cap, together
		// over the message's.
		var spread bytes.Buffer
		spread.WriteString(strings.TrimSuffix(snapJSON, "}") + `,"osquery":[`)
		for i := range 6 {
			if i > 0 {
				spread.WriteString(",")
			}
			spread.WriteString(`{"rows":[{}` + strings.Repeat(`,{}`, 99_998) + `]}`)
		}
		spread.WriteString("]}")
		if len(pb) > server.MaxSnapshotBytes || len(js) > server.MaxSnapshotBytes {
			t.Fatalf("test bodies over the size limit: %d, %d", len(pb), len(js))
		}
		cases := []struct {
			name, ctype string
			body        []byte
		}{
			{"protobuf", "proto", pb},
			{"JSON", "json", js},
			{"JSON spread over lists", "json", spread.Bytes()},
		}
		for _, c := range cases {
			before := allocatedMiB()
			for _, zip := range []bool{false, true} {
				body := c.body
				if zip {
					body = gzipped(t, body)
				}
				res := rawCall(t, h, submit, "Bearer "+agent.Token, c.ctype, zip, body)
				if res.Code != "invalid_argument" && res.Code != "resource_exhausted" {
					t.Fatalf("%s (gzip %v, %d bytes): %s %q, want resource_exhausted or invalid_argument", c.name, zip, len(body), res.Code, res.Message)
				}
				if !strings.Contains(res.Message, "elements") {
					t.Fatalf("%s: refused for another reason: %s", c.name, res.Message)
				}
			}
			t.Logf("%s: two refused calls allocated %d MiB", c.name, allocatedMiB()-before)
		}
		if n := snapshotRows(t, st, agent.DeviceID); n != 0 {
			t.Fatalf("%d snapshots stored", n)
		}
	})
}

// TestPublicCallsAreSmall: calls that need no credential get 64 KiB, as
// sent and decompressed, whatever service they belong to; Enroll with a
// huge body and no key in the header is refused and enrols nothing.
// Enroll with its key as the bearer credential works, also without the key
// in the body.
func TestPublicCallsAreSmall(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		srv := testenv.StartServer(t, st)
		ten := testenv.NewTenant(t, srv, "public")
		owner := ten.Login(t, ten.Owner)
		key := testenv.Call(t, srv.URL, createKey, owner, map[string]any{"organisationId": ten.Organisations[0]})
		secret := key.Str("secret")
		h := srv.App.Handler()
		devices := func() int {
			n, err := st.Ent.Device.Query().Where(device.HostnameHasPrefix("huge")).Count(sysCtx())
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		huge, _ := json.Marshal(map[string]any{"enrolmentKey": secret, "hostname": "huge" + strings.Repeat("x", 1<<20), "platform": "linux"})
		if res := rawCall(t, h, enroll, "", "json", false, huge); res.Code != "resource_exhausted" {
			t.Errorf("Enroll with a 1 MiB body: %s %q", res.Code, res.Message)
		}
		if res := rawCall(t, h, enroll, "", "json", true, gzipped(t, huge)); res.Code != "resource_exhausted" {
			t.Errorf("Enroll with 1 MiB gzipped: %s %q", res.Code, res.Message)
		}
		// Every public procedure: 100 KiB after decompression is too much.
		padded := gzipped(t, []byte(`{"pad":"`+strings.Repeat("x", 100<<10)+`"}`))
		for procedure, access := range authz.Procedures {
			if !access.Public {
				continue
			}
			if res := rawCall(t, h, procedure, "", "json", true, padded); res.Code != "resource_exhausted" {
				t.Errorf("%s with 100 KiB decompressed: %s %q, want resource_exhausted", procedure, res.Code, res.Message)
			}
		}
		if n := devices(); n != 0 {
			t.Fatalf("%d devices enrolled by refused calls", n)
		}
		// The key as the bearer credential, alone or matching the body.
		viaHeader := func(body map[string]any) *testenv.Response {
			req, _ := json.Marshal(body)
			r, _ := http.NewRequest(http.MethodPost, srv.URL+"/"+enroll, bytes.NewReader(req))
			r.Header.Set("Content-Type", "application/json")
			r.Header.Set("Authorization", "Bearer "+secret)
			res, err := http.DefaultClient.Do(r)
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = res.Body.Close() }()
			raw, _ := io.ReadAll(res.Body)
			out := &testenv.Response{Status: res.StatusCode, Raw: raw, Code: "ok"}
			_ = json.Unmarshal(raw, &out.Body)
			if res.StatusCode != http.StatusOK {
				out.Code, _ = out.Body["code"].(string)
			}
			return out
		}
		viaHeader(map[string]any{"hostname": "hdr-only", "platform": "linux"}).Must(t)
		viaHeader(map[string]any{"enrolmentKey": secret, "hostname": "hdr-both", "platform": "linux"}).Must(t)
		if c := viaHeader(map[string]any{"enrolmentKey": "wwe_other", "hostname": "hdr-diff", "platform": "linux"}).Code; c != "invalid_argument" {
			t.Errorf("Enroll with different keys in header and body: %s", c)
		}
	})
}

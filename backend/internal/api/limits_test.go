package api

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"
)

// TestCappedGzipStopsAtTheLimit: a 256 MiB gzip bomb yields at most the
// limit plus one byte, then resource_exhausted; it is never inflated in
// full.
func TestCappedGzipStopsAtTheLimit(t *testing.T) {
	var bomb bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&bomb, gzip.BestCompression)
	chunk := make([]byte, 1<<20)
	for range 256 {
		_, _ = zw.Write(chunk)
	}
	_ = zw.Close()
	d := &cappedGzip{max: 1 << 20}
	if err := d.Reset(bytes.NewReader(bomb.Bytes())); err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, d)
	if n > 1<<20+1 {
		t.Fatalf("inflated %d bytes past a limit of %d", n, 1<<20)
	}
	if connect.CodeOf(err) != connect.CodeResourceExhausted || !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want resource_exhausted", err)
	}
	// Reset starts a new budget: a small message passes.
	var small bytes.Buffer
	zw = gzip.NewWriter(&small)
	_, _ = zw.Write([]byte("hello"))
	_ = zw.Close()
	_ = d.Reset(&small)
	if out, err := io.ReadAll(d); err != nil || string(out) != "hello" {
		t.Fatalf("small message: %q, %v", out, err)
	}
}

func TestProtoCounting(t *testing.T) {
	lim := Limits{MaxListElements: 10, MaxTotalElements: 25}.withDefaults()
	codec := &protoCodec{limits: lim}
	snap := &agentv1.Snapshot{
		SnapshotId: "x",
		Software:   make([]*agentv1.InstalledSoftware, 10),
		Osquery:    []*agentv1.OsqueryResult{{Name: "q", Rows: []*agentv1.OsqueryRow{{Columns: map[string]string{"a": "1", "b": "2"}}}}},
	}
	for i := range snap.Software {
		snap.Software[i] = &agentv1.InstalledSoftware{Name: "p"}
	}
	snap.Performance = &agentv1.Performance{CpuPercent: make([]float64, 10)}
	data, err := proto.Marshal(&agentv1.SubmitSnapshotRequest{Snapshot: snap})
	if err != nil {
		t.Fatal(err)
	}
	// 10 + 1 + 1 + 2 + 10 = 24 elements: within both caps.
	var got agentv1.SubmitSnapshotRequest
	if err := codec.Unmarshal(data, &got); err != nil {
		t.Fatalf("within limits: %v", err)
	}
	if !proto.Equal(&got, &agentv1.SubmitSnapshotRequest{Snapshot: snap}) {
		t.Fatal("round trip changed the message")
	}
	// One more packed double (8 bytes): the list passes its cap.
	snap.Performance.CpuPercent = append(snap.Performance.CpuPercent, 1)
	data, _ = proto.Marshal(&agentv1.SubmitSnapshotRequest{Snapshot: snap})
	if err := codec.Unmarshal(data, &got); !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "cpu_percent") {
		t.Fatalf("11 packed doubles: %v", err)
	}
	// Map entries count: 2 more columns pass the total.
	snap.Performance.CpuPercent = snap.Performance.CpuPercent[:9]
	snap.Osquery[0].Rows[0].Columns["c"], snap.Osquery[0].Rows[0].Columns["d"] = "3", "4"
	snap.Osquery[0].Rows = append(snap.Osquery[0].Rows, &agentv1.OsqueryRow{})
	data, _ = proto.Marshal(&agentv1.SubmitSnapshotRequest{Snapshot: snap})
	if err := codec.Unmarshal(data, &got); !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "more than 25") {
		t.Fatalf("26 elements: %v", err)
	}
	// Unknown fields are skipped, not counted; malformed input is an error.
	unknown := protowire.AppendBytes(protowire.AppendTag(nil, 999, protowire.BytesType), []byte("zz"))
	if err := codec.Unmarshal(bytes.Repeat(unknown, 100), &got); err != nil {
		t.Fatalf("unknown fields: %v", err)
	}
	if err := codec.Unmarshal([]byte{0x0a, 0xff, 0xff, 0xff, 0x01}, &got); err == nil {
		t.Fatal("malformed protobuf accepted")
	}
}

// TestJSONCounting: the scan counts array elements and object members
// without being fooled by brackets and commas inside strings, and never
// counts fewer elements than encoding/json sees.
func TestJSONCounting(t *testing.T) {
	lim := Limits{MaxListElements: 3, MaxTotalElements: 100, MaxDepth: 4}.withDefaults()
	ok := []string{
		`{"a":[1,2,3]}`,
		`{"a":["x,y,z,w","[,,,]","\"],[,"]}`,
		`{"a":[],"b":{},"c":[{}, {} , {}]}`,
		`[[[1]]]`,
	}
	for _, s := range ok {
		if err := countJSON([]byte(s), lim); err != nil {
			t.Errorf("%s: %v", s, err)
		}
		if !json.Valid([]byte(s)) {
			t.Fatalf("test input %s is not JSON", s)
		}
	}
	bad := []string{
		`{"a":[1,2,3,4]}`,
		`{"a":[{},{},{},{}]}`,
		`{"a":1,"b":2,"c":3,"d":4}`,
		`[[[[[1]]]]]`,
		`{"a":["\\",1,2,3]}`,
	}
	for _, s := range bad {
		if err := countJSON([]byte(s), lim); !errors.Is(err, ErrTooLarge) {
			t.Errorf("%s: %v, want ErrTooLarge", s, err)
		}
	}
	total := Limits{MaxListElements: 10, MaxTotalElements: 5}.withDefaults()
	if err := countJSON([]byte(`{"a":[1,2],"b":[3,4]}`), total); !errors.Is(err, ErrTooLarge) {
		t.Errorf("6 elements over a total of 5: %v", err)
	}
}

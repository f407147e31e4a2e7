package server_test

import (
	"testing"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/wegweiser/wegweiser/backend/internal/testenv"
)

// must fails the test when a typed call failed and returns its response:
// must(c.Device.GetDevice(ctx, req))(t).
func must[T any](res T, err error) func(t *testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatalf("call failed: %s: %v", testenv.Code(err), err)
		}
		return res
	}
}

// pj renders a message as the JSON an integrator receives (the contract's
// JSON names, enum names), for leak checks that look at the whole answer
// and for failure messages.
func pj(m proto.Message) string {
	b, err := protojson.Marshal(m)
	if err != nil {
		return "<" + err.Error() + ">"
	}
	return string(b)
}

// pjt is pj cut short for failure messages.
func pjt(m proto.Message) string { return truncate([]byte(pj(m))) }

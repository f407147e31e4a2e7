package api

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// Default bounds on what one request may make the server build; see
// Limits.
const (
	DefaultMaxListElements  = 100_000
	DefaultMaxTotalElements = 500_000
	DefaultMaxDepth         = 64
)

// Limits bound a request before it is unmarshalled: its size after
// decompression and the number of elements its repeated fields (and maps)
// would make the server allocate. Protobuf and JSON are checked on the wire
// bytes, so a small body with millions of empty elements is refused before
// a single element is built.
type Limits struct {
	// MaxBytes bounds a message after decompression; gzip output beyond it
	// is not inflated.
	MaxBytes int
	// MaxListElements bounds each list or map (in JSON: each array or
	// object).
	MaxListElements int
	// MaxTotalElements bounds the elements of all lists and maps of one
	// message together (in JSON: array elements and object members).
	MaxTotalElements int
	// MaxDepth bounds nesting.
	MaxDepth int
}

func (l Limits) withDefaults() Limits {
	if l.MaxListElements <= 0 {
		l.MaxListElements = DefaultMaxListElements
	}
	if l.MaxTotalElements <= 0 {
		l.MaxTotalElements = DefaultMaxTotalElements
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultMaxDepth
	}
	return l
}

// HandlerOptions returns the Connect handler options that enforce l:
// ReadMaxBytes, a gzip decompressor that stops at MaxBytes, and protobuf
// and JSON codecs that count elements before unmarshalling.
func (l Limits) HandlerOptions() connect.HandlerOption {
	l = l.withDefaults()
	maxBytes := int64(l.MaxBytes)
	return connect.WithHandlerOptions(
		connect.WithReadMaxBytes(l.MaxBytes),
		// Replace the default gzip rather than adding a second one.
		connect.WithCompression("gzip", nil, nil),
		connect.WithCompression("gzip",
			func() connect.Decompressor { return &cappedGzip{max: maxBytes} },
			func() connect.Compressor { return gzip.NewWriter(io.Discard) }),
		connect.WithCodec(&protoCodec{limits: l}),
		connect.WithCodec(&jsonCodec{name: "json", limits: l}),
		connect.WithCodec(&jsonCodec{name: "json; charset=utf-8", limits: l}),
	)
}

// JSONHandler bounds the JSON request bodies of a plain HTTP endpoint (the
// MCP endpoint) like HandlerOptions bounds the Connect handlers: a body over
// MaxBytes, or whose arrays, objects or nesting exceed the element limits,
// is refused with 413 before next sees it. Compressed bodies are refused
// (415): the endpoint's clients send plain JSON.
func (l Limits) JSONHandler(next http.Handler) http.Handler {
	l = l.withDefaults()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody {
			next.ServeHTTP(w, r)
			return
		}
		if enc := r.Header.Get("Content-Encoding"); enc != "" && !strings.EqualFold(enc, "identity") {
			http.Error(w, fmt.Sprintf("content encoding %q is not supported; send plain JSON", enc), http.StatusUnsupportedMediaType)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, int64(l.MaxBytes)))
		if err == nil {
			err = countJSON(body, l)
		}
		if err != nil {
			var mbe *http.MaxBytesError
			switch {
			case errors.As(err, &mbe):
				http.Error(w, fmt.Sprintf("request too large: the body exceeds %d bytes", l.MaxBytes), http.StatusRequestEntityTooLarge)
			case errors.Is(err, ErrTooLarge):
				http.Error(w, err.Error(), http.StatusRequestEntityTooLarge)
			default:
				http.Error(w, "read request body", http.StatusBadRequest)
			}
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		next.ServeHTTP(w, r)
	})
}

// ErrTooLarge marks refusals for size: the decompressed message or its
// element counts exceed the Limits.
var ErrTooLarge = errors.New("request too large")

// cappedGzip is a gzip decompressor that refuses to produce more than max
// bytes (plus the one byte Connect reads to detect the overflow), so a
// gzip bomb is refused after max bytes instead of being inflated in full.
type cappedGzip struct {
	r   gzip.Reader
	max int64
	n   int64
}

// Read implements connect.Decompressor.
func (d *cappedGzip) Read(p []byte) (int, error) {
	if d.max > 0 {
		left := d.max + 1 - d.n
		if left <= 0 {
			return 0, connect.NewError(connect.CodeResourceExhausted,
				fmt.Errorf("%w: decompressed message exceeds %d bytes", ErrTooLarge, d.max))
		}
		if int64(len(p)) > left {
			p = p[:left]
		}
	}
	n, err := d.r.Read(p)
	d.n += int64(n)
	return n, err
}

// Reset implements connect.Decompressor.
func (d *cappedGzip) Reset(r io.Reader) error {
	d.n = 0
	return d.r.Reset(r)
}

// Close implements connect.Decompressor.
func (d *cappedGzip) Close() error { return d.r.Close() }

// protoCodec is Connect's protobuf codec with an element count first.
type protoCodec struct{ limits Limits }

func (c *protoCodec) Name() string { return "proto" }

// Marshal implements connect.Codec.
func (c *protoCodec) Marshal(m any) ([]byte, error) {
	pm, err := asProto(m)
	if err != nil {
		return nil, err
	}
	return proto.Marshal(pm)
}

// MarshalAppend implements connect's appending codec.
func (c *protoCodec) MarshalAppend(dst []byte, m any) ([]byte, error) {
	pm, err := asProto(m)
	if err != nil {
		return nil, err
	}
	return proto.MarshalOptions{}.MarshalAppend(dst, pm)
}

// MarshalStable implements connect's stable codec (GET requests).
func (c *protoCodec) MarshalStable(m any) ([]byte, error) {
	pm, err := asProto(m)
	if err != nil {
		return nil, err
	}
	return proto.MarshalOptions{Deterministic: true}.Marshal(pm)
}

// IsBinary implements connect's stable codec.
func (c *protoCodec) IsBinary() bool { return true }

// Unmarshal implements connect.Codec: it counts, then unmarshals.
func (c *protoCodec) Unmarshal(data []byte, m any) error {
	pm, err := asProto(m)
	if err != nil {
		return err
	}
	w := wireCounter{limits: c.limits}
	if err := w.message(data, pm.ProtoReflect().Descriptor(), 0); err != nil {
		return err
	}
	if err := proto.Unmarshal(data, pm); err != nil {
		return fmt.Errorf("unmarshal into %T: %w", m, err)
	}
	return nil
}

// jsonCodec is Connect's JSON codec with an element count first.
type jsonCodec struct {
	name   string
	limits Limits
}

func (c *jsonCodec) Name() string { return c.name }

// Marshal implements connect.Codec.
func (c *jsonCodec) Marshal(m any) ([]byte, error) {
	pm, err := asProto(m)
	if err != nil {
		return nil, err
	}
	return protojson.MarshalOptions{}.Marshal(pm)
}

// MarshalAppend implements connect's appending codec.
func (c *jsonCodec) MarshalAppend(dst []byte, m any) ([]byte, error) {
	pm, err := asProto(m)
	if err != nil {
		return nil, err
	}
	return protojson.MarshalOptions{}.MarshalAppend(dst, pm)
}

// MarshalStable implements connect's stable codec (GET requests).
func (c *jsonCodec) MarshalStable(m any) ([]byte, error) {
	out, err := c.Marshal(m)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, out); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// IsBinary implements connect's stable codec.
func (c *jsonCodec) IsBinary() bool { return false }

// Unmarshal implements connect.Codec: it counts, then unmarshals, ignoring
// unknown fields as Connect's own JSON codec does.
func (c *jsonCodec) Unmarshal(data []byte, m any) error {
	pm, err := asProto(m)
	if err != nil {
		return err
	}
	if len(data) == 0 {
		return errors.New("zero-length payload is not a valid JSON object")
	}
	if err := countJSON(data, c.limits); err != nil {
		return err
	}
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(data, pm); err != nil {
		return fmt.Errorf("unmarshal into %T: %w", m, err)
	}
	return nil
}

func asProto(m any) (proto.Message, error) {
	pm, ok := m.(proto.Message)
	if !ok {
		return nil, fmt.Errorf("%T is not a protobuf message", m)
	}
	return pm, nil
}

// wireCounter walks protobuf wire bytes along the message descriptor and
// counts the elements of repeated fields and maps (packed ones by their
// encoded size), recursing into sub-messages.
type wireCounter struct {
	limits Limits
	total  int
}

type fieldCount struct {
	num protowire.Number
	n   int
}

func (w *wireCounter) message(b []byte, md protoreflect.MessageDescriptor, depth int) error {
	if depth > w.limits.MaxDepth {
		return fmt.Errorf("%w: %s nested deeper than %d", ErrTooLarge, md.FullName(), w.limits.MaxDepth)
	}
	fields := md.Fields()
	var counts []fieldCount
	add := func(fd protoreflect.FieldDescriptor, k int) error {
		i := 0
		for i < len(counts) && counts[i].num != fd.Number() {
			i++
		}
		if i == len(counts) {
			counts = append(counts, fieldCount{num: fd.Number()})
		}
		counts[i].n += k
		w.total += k
		if counts[i].n > w.limits.MaxListElements {
			return fmt.Errorf("%w: %s has more than %d elements", ErrTooLarge, fd.FullName(), w.limits.MaxListElements)
		}
		if w.total > w.limits.MaxTotalElements {
			return fmt.Errorf("%w: more than %d list elements in one message", ErrTooLarge, w.limits.MaxTotalElements)
		}
		return nil
	}
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return fmt.Errorf("unmarshal %s: %w", md.FullName(), protowire.ParseError(n))
		}
		b = b[n:]
		fd := fields.ByNumber(num)
		if fd != nil && (fd.IsList() || fd.IsMap()) {
			k := 1
			if typ == protowire.BytesType && fd.IsList() && packable(fd.Kind()) {
				v, m := protowire.ConsumeBytes(b)
				if m < 0 {
					return fmt.Errorf("unmarshal %s: %w", fd.FullName(), protowire.ParseError(m))
				}
				k = packedCount(v, fd.Kind())
			}
			if err := add(fd, k); err != nil {
				return err
			}
		}
		if fd != nil && typ == protowire.BytesType && (fd.Kind() == protoreflect.MessageKind || fd.Kind() == protoreflect.GroupKind) {
			v, m := protowire.ConsumeBytes(b)
			if m < 0 {
				return fmt.Errorf("unmarshal %s: %w", fd.FullName(), protowire.ParseError(m))
			}
			if err := w.message(v, fd.Message(), depth+1); err != nil {
				return err
			}
			b = b[m:]
			continue
		}
		m := protowire.ConsumeFieldValue(num, typ, b)
		if m < 0 {
			return fmt.Errorf("unmarshal %s: %w", md.FullName(), protowire.ParseError(m))
		}
		b = b[m:]
	}
	return nil
}

func packable(k protoreflect.Kind) bool {
	switch k {
	case protoreflect.StringKind, protoreflect.BytesKind, protoreflect.MessageKind, protoreflect.GroupKind:
		return false
	}
	return true
}

// packedCount is the number of elements in a packed field's payload.
func packedCount(v []byte, k protoreflect.Kind) int {
	switch k {
	case protoreflect.Fixed32Kind, protoreflect.Sfixed32Kind, protoreflect.FloatKind:
		return len(v) / 4
	case protoreflect.Fixed64Kind, protoreflect.Sfixed64Kind, protoreflect.DoubleKind:
		return len(v) / 8
	}
	n := 0
	for _, c := range v {
		if c < 0x80 {
			n++
		}
	}
	return n
}

// countJSON scans JSON text and counts the elements of each array and the
// members of each object, and the nesting depth. Malformed text is left to
// the real parser; the scan only has to never under-count valid JSON.
func countJSON(data []byte, l Limits) error {
	type level struct {
		commas   int
		nonEmpty bool
	}
	stack := make([]level, 0, 16)
	total := 0
	inString, escaped := false, false
	for _, c := range data {
		if inString {
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}
		switch c {
		case ' ', '\t', '\n', '\r':
			continue
		case ']', '}':
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
			continue
		}
		if len(stack) > 0 {
			top := &stack[len(stack)-1]
			switch {
			case c == ',':
				top.commas++
				total++
			case !top.nonEmpty:
				top.nonEmpty = true
				total++
			}
			if top.commas+1 > l.MaxListElements {
				return fmt.Errorf("%w: a JSON array or object has more than %d elements", ErrTooLarge, l.MaxListElements)
			}
			if total > l.MaxTotalElements {
				return fmt.Errorf("%w: more than %d JSON elements in one message", ErrTooLarge, l.MaxTotalElements)
			}
		}
		switch c {
		case '"':
			inString = true
		case '[', '{':
			if len(stack) >= l.MaxDepth {
				return fmt.Errorf("%w: JSON nested deeper than %d", ErrTooLarge, l.MaxDepth)
			}
			stack = append(stack, level{})
		}
	}
	return nil
}

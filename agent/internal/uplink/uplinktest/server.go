// Package uplinktest is a fake AgentService for tests: an httptest server
// that can be stopped and started again on the same address, records every
// request's headers, stores snapshots idempotently by snapshot id and can
// be told to fail in the ways a real server does.
package uplinktest

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"
	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"
	"github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1/agentv1connect"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// Request is what the fake saw of one HTTP request.
type Request struct {
	// Procedure is the RPC path.
	Procedure string
	// Header is a copy of the request headers.
	Header http.Header
}

// Server is the fake. Its fields may be set before Start; use the methods
// afterwards.
type Server struct {
	// EnrolmentKey is the only key Enroll accepts.
	EnrolmentKey string
	// DeviceToken is what Enroll returns and every other call must carry.
	DeviceToken string
	// Config is returned by Enroll, GetConfig and Heartbeat.
	Config *agentv1.AgentConfig
	// UpdateSigningKey is returned by Enroll.
	UpdateSigningKey string

	t    testing.TB
	addr string
	srv  *httptest.Server

	mu          sync.Mutex
	requests    []Request
	stored      map[string]*agentv1.Snapshot
	received    map[string]time.Time
	order       []string
	submissions []string
	heartbeats  []*agentv1.HeartbeatRequest
	loseAck     map[string]bool
	failNext    []error
	update      *agentv1.AgentUpdate
	files       map[string][]byte
	downloads   map[string]int
}

// New returns a fake with a key, a token and a short config; call Start.
func New(t testing.TB) *Server {
	return &Server{
		t:            t,
		EnrolmentKey: "enrol-key-123",
		DeviceToken:  "device-token-abc",
		Config: &agentv1.AgentConfig{
			CheckInInterval:   durationpb.New(time.Minute),
			Jitter:            durationpb.New(time.Second),
			HeartbeatInterval: durationpb.New(30 * time.Second),
		},
		stored:   map[string]*agentv1.Snapshot{},
		received: map[string]time.Time{},
		loseAck:  map[string]bool{},
	}
}

// Start serves on a fresh port the first time and on the same port after
// Stop. It registers Stop with t.Cleanup.
func (s *Server) Start() {
	s.t.Helper()
	addr := s.addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	var l net.Listener
	var err error
	for range 50 { // the old socket may linger briefly after Stop
		if l, err = net.Listen("tcp", addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		s.t.Fatalf("listen %s: %v", addr, err)
	}
	s.addr = l.Addr().String()
	path, h := agentv1connect.NewAgentServiceHandler(s)
	mux := http.NewServeMux()
	mux.Handle(path, h)
	mux.HandleFunc("GET "+DownloadPrefix+"{name}", s.serveFile)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.requests = append(s.requests, Request{Procedure: r.URL.Path, Header: r.Header.Clone()})
		s.mu.Unlock()
		mux.ServeHTTP(w, r)
	}))
	srv.Listener = l
	srv.Start()
	s.mu.Lock()
	s.srv = srv
	s.mu.Unlock()
	s.t.Cleanup(s.Stop)
}

// Stop closes the server and every connection; calls then fail as
// unreachable until Start.
func (s *Server) Stop() {
	s.mu.Lock()
	srv := s.srv
	s.srv = nil
	s.mu.Unlock()
	if srv != nil {
		srv.CloseClientConnections()
		srv.Close()
	}
}

// URL is the base URL (valid across Stop and Start).
func (s *Server) URL() string { return "http://" + s.addr }

// Client is an HTTP client that keeps no idle connections, so a stopped
// server is noticed at once.
func (s *Server) Client() *http.Client {
	return &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
}

// LoseAckFor makes the next SubmitSnapshot of id store the snapshot but
// answer unavailable, as if the acknowledgement was lost on the way.
func (s *Server) LoseAckFor(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.loseAck[id] = true
}

// FailNext queues errors returned by the next calls of any RPC, in order.
func (s *Server) FailNext(errs ...error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failNext = append(s.failNext, errs...)
}

// ResourceExhausted is an error carrying Retry-After in its metadata.
func ResourceExhausted(retryAfterSeconds int) error {
	err := connect.NewError(connect.CodeResourceExhausted, errors.New("too many agents reconnecting"))
	err.Meta().Set("Retry-After", strconv.Itoa(retryAfterSeconds))
	return err
}

// SetConfig changes the configuration the fake hands out.
func (s *Server) SetConfig(c *agentv1.AgentConfig) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Config = c
}

func (s *Server) config() *agentv1.AgentConfig {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.Config
}

// Requests returns what the fake saw.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// StoredIDs lists stored snapshot ids in the order first stored.
func (s *Server) StoredIDs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.order...)
}

// Submissions lists the snapshot id of every SubmitSnapshot call that
// reached the handler, retries included.
func (s *Server) Submissions() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.submissions...)
}

// Stored returns a stored snapshot.
func (s *Server) Stored(id string) *agentv1.Snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stored[id]
}

// Heartbeats returns the heartbeats received.
func (s *Server) Heartbeats() []*agentv1.HeartbeatRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*agentv1.HeartbeatRequest(nil), s.heartbeats...)
}

func (s *Server) popFailure() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.failNext) == 0 {
		return nil
	}
	err := s.failNext[0]
	s.failNext = s.failNext[1:]
	return err
}

func (s *Server) authenticate(ctx context.Context) error {
	ci, ok := connect.CallInfoForHandlerContext(ctx)
	if !ok || ci.RequestHeader().Get("Authorization") != "Bearer "+s.DeviceToken {
		return connect.NewError(connect.CodeUnauthenticated, errors.New("bad device token"))
	}
	return nil
}

// Enroll implements agentv1connect.AgentServiceHandler.
func (s *Server) Enroll(ctx context.Context, req *agentv1.EnrollRequest) (*agentv1.EnrollResponse, error) {
	if err := s.popFailure(); err != nil {
		return nil, err
	}
	// As the real server: a key in the Authorization header must match
	// the body's.
	if ci, ok := connect.CallInfoForHandlerContext(ctx); ok {
		if auth := ci.RequestHeader().Get("Authorization"); auth != "" && auth != "Bearer "+req.GetEnrolmentKey() {
			return nil, connect.NewError(connect.CodeInvalidArgument, errors.New("enrolment key in header and body differ"))
		}
	}
	if req.GetEnrolmentKey() != s.EnrolmentKey {
		return nil, connect.NewError(connect.CodePermissionDenied, errors.New("unknown enrolment key"))
	}
	return &agentv1.EnrollResponse{DeviceId: "dev-1", DeviceToken: s.DeviceToken, Config: s.config(), UpdateSigningKey: s.UpdateSigningKey}, nil
}

// Heartbeat implements agentv1connect.AgentServiceHandler.
func (s *Server) Heartbeat(ctx context.Context, req *agentv1.HeartbeatRequest) (*agentv1.HeartbeatResponse, error) {
	if err := s.authenticate(ctx); err != nil {
		return nil, err
	}
	if err := s.popFailure(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.heartbeats = append(s.heartbeats, proto.Clone(req).(*agentv1.HeartbeatRequest))
	update := s.update
	s.mu.Unlock()
	return &agentv1.HeartbeatResponse{Config: s.config(), Update: update}, nil
}

// SubmitSnapshot implements agentv1connect.AgentServiceHandler: idempotent
// by snapshot id.
func (s *Server) SubmitSnapshot(ctx context.Context, req *agentv1.SubmitSnapshotRequest) (*agentv1.SubmitSnapshotResponse, error) {
	if err := s.authenticate(ctx); err != nil {
		return nil, err
	}
	id := req.GetSnapshot().GetSnapshotId()
	s.mu.Lock()
	s.submissions = append(s.submissions, id)
	s.mu.Unlock()
	if err := s.popFailure(); err != nil {
		return nil, err
	}
	if id == "" {
		return nil, connect.NewError(connect.CodeInvalidArgument, errors.New("snapshot_id is required"))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	_, dup := s.stored[id]
	if !dup {
		s.stored[id] = proto.Clone(req.GetSnapshot()).(*agentv1.Snapshot)
		s.received[id] = time.Now()
		s.order = append(s.order, id)
	}
	if s.loseAck[id] {
		delete(s.loseAck, id)
		return nil, connect.NewError(connect.CodeUnavailable, errors.New("connection reset (acknowledgement lost)"))
	}
	return &agentv1.SubmitSnapshotResponse{
		SnapshotId:   id,
		ReceivedTime: timestamppb.New(s.received[id]),
		Duplicate:    dup,
	}, nil
}

// GetConfig implements agentv1connect.AgentServiceHandler.
func (s *Server) GetConfig(ctx context.Context, _ *agentv1.GetConfigRequest) (*agentv1.GetConfigResponse, error) {
	if err := s.authenticate(ctx); err != nil {
		return nil, err
	}
	if err := s.popFailure(); err != nil {
		return nil, err
	}
	return &agentv1.GetConfigResponse{Config: s.config()}, nil
}

var _ agentv1connect.AgentServiceHandler = (*Server)(nil)

// DownloadPrefix is the path under which ServeFile publishes files.
const DownloadPrefix = "/agent/download/"

// ServeFile publishes data at DownloadPrefix+name and returns its URL.
func (s *Server) ServeFile(name string, data []byte) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.files == nil {
		s.files = map[string][]byte{}
	}
	s.files[name] = data
	return s.URL() + DownloadPrefix + name
}

// Downloads counts the requests for a published file.
func (s *Server) Downloads(name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.downloads[name]
}

// SetUpdate makes heartbeats offer u (nil: none).
func (s *Server) SetUpdate(u *agentv1.AgentUpdate) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.update = u
}

func (s *Server) serveFile(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	s.mu.Lock()
	data, ok := s.files[name]
	if s.downloads == nil {
		s.downloads = map[string]int{}
	}
	s.downloads[name]++
	s.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	_, _ = w.Write(data)
}

// Package uplink is the agent's side of AgentService: the generated Connect
// client with the device token, retries with exponential backoff and full
// jitter that honour Retry-After, and an offline spool on disk that keeps
// snapshots until the server acknowledges them.
package uplink

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"connectrpc.com/connect"
	"github.com/wegweiser/wegweiser/agent/internal/version"
	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"
	"github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1/agentv1connect"
)

// compressMinBytes keeps heartbeats and other small requests uncompressed.
const compressMinBytes = 1024

// HTTPClient returns the HTTP client the agent uses: proxies from the
// environment, the system's roots plus caFile (PEM) when given, and a
// whole-request timeout as a last resort behind per-call contexts.
func HTTPClient(caFile string) (*http.Client, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = 2
	tr.IdleConnTimeout = 90 * time.Second
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("read CA file: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("no certificate found in %s", caFile)
		}
		tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	return &http.Client{Transport: tr, Timeout: 5 * time.Minute}, nil
}

// NewClient returns the generated AgentService client for an enrolled
// device. Every call carries `Authorization: Bearer <token>`; requests
// larger than 1 KB are gzipped.
func NewClient(httpClient connect.HTTPClient, server, token string) agentv1connect.AgentServiceClient {
	return agentv1connect.NewAgentServiceClient(httpClient, normaliseServer(server),
		connect.WithInterceptors(headerInterceptor(token)),
		connect.WithSendGzip(),
		connect.WithCompressMinBytes(compressMinBytes),
	)
}

// Enroll registers the device with an enrolment key. The key travels as
// the call's bearer credential, so the server verifies it before reading the
// body, and in the body too for servers that only look there.
func Enroll(ctx context.Context, httpClient connect.HTTPClient, server string, req *agentv1.EnrollRequest) (*agentv1.EnrollResponse, error) {
	if req.GetEnrolmentKey() == "" {
		return nil, errors.New("an enrolment key is required")
	}
	c := agentv1connect.NewAgentServiceClient(httpClient, normaliseServer(server),
		connect.WithInterceptors(headerInterceptor("")))
	return c.Enroll(ctx, req)
}

// normaliseServer accepts "host:port" and adds https://.
func normaliseServer(s string) string {
	s = strings.TrimSpace(s)
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	return strings.TrimRight(s, "/")
}

// ValidateServer checks that a server URL is usable.
func ValidateServer(s string) error {
	s = normaliseServer(s)
	if !strings.HasPrefix(s, "https://") && !strings.HasPrefix(s, "http://") {
		return fmt.Errorf("server URL must be http(s): %q", s)
	}
	if len(s) <= len("https://") {
		return errors.New("server URL is empty")
	}
	return nil
}

// NormaliseServer is the form of a server URL that is stored in the state.
func NormaliseServer(s string) string { return normaliseServer(s) }

// headerInterceptor sets the User-Agent and the credential: for Enroll the
// request's enrolment key, for every other procedure the device token.
func headerInterceptor(token string) connect.UnaryInterceptorFunc {
	return func(next connect.UnaryFunc) connect.UnaryFunc {
		return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
			req.Header().Set("User-Agent", version.UserAgent())
			credential := token
			if req.Spec().Procedure == agentv1connect.AgentServiceEnrollProcedure {
				credential = ""
				if er, ok := req.Any().(*agentv1.EnrollRequest); ok {
					credential = er.GetEnrolmentKey()
				}
			}
			if credential != "" {
				req.Header().Set("Authorization", "Bearer "+credential)
			} else {
				req.Header().Del("Authorization")
			}
			return next(ctx, req)
		}
	}
}

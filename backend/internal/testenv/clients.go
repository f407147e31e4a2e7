package testenv

import (
	"context"
	"errors"
	"net/http"

	"connectrpc.com/connect"

	"github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1/agentv1connect"
	"github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1/wegweiserv1connect"
)

// Clients are the generated Connect clients of every service, calling one
// server as one principal (a user's access token, an agent's device token,
// or none). Tests use them for typed requests and responses; raw JSON
// (Call) stays for wire-level, curl-equivalent and descriptor-driven tests.
type Clients struct {
	Auth      wegweiserv1connect.AuthServiceClient
	Tenant    wegweiserv1connect.TenantServiceClient
	Device    wegweiserv1connect.DeviceServiceClient
	User      wegweiserv1connect.UserServiceClient
	Enrolment wegweiserv1connect.EnrolmentServiceClient
	Inventory wegweiserv1connect.InventoryServiceClient
	Health    wegweiserv1connect.HealthServiceClient
	Policy    wegweiserv1connect.PolicyServiceClient
	Alert     wegweiserv1connect.AlertServiceClient
	AI        wegweiserv1connect.AIServiceClient
	// Onboarding is the getting-started checklist and the seen tours.
	Onboarding wegweiserv1connect.OnboardingServiceClient
	Transfer   wegweiserv1connect.TransferServiceClient
	Report     wegweiserv1connect.ReportServiceClient
	Agent      agentv1connect.AgentServiceClient
}

// Clients returns typed clients of the server that send token as the bearer
// credential (none when empty).
func (s *Server) Clients(token string) *Clients {
	opts := []connect.ClientOption{connect.WithInterceptors(bearerInterceptor(token))}
	c, u := http.DefaultClient, s.URL
	return &Clients{
		Auth:       wegweiserv1connect.NewAuthServiceClient(c, u, opts...),
		Tenant:     wegweiserv1connect.NewTenantServiceClient(c, u, opts...),
		Device:     wegweiserv1connect.NewDeviceServiceClient(c, u, opts...),
		User:       wegweiserv1connect.NewUserServiceClient(c, u, opts...),
		Enrolment:  wegweiserv1connect.NewEnrolmentServiceClient(c, u, opts...),
		Inventory:  wegweiserv1connect.NewInventoryServiceClient(c, u, opts...),
		Health:     wegweiserv1connect.NewHealthServiceClient(c, u, opts...),
		Policy:     wegweiserv1connect.NewPolicyServiceClient(c, u, opts...),
		Alert:      wegweiserv1connect.NewAlertServiceClient(c, u, opts...),
		AI:         wegweiserv1connect.NewAIServiceClient(c, u, opts...),
		Onboarding: wegweiserv1connect.NewOnboardingServiceClient(c, u, opts...),
		Transfer:   wegweiserv1connect.NewTransferServiceClient(c, u, opts...),
		Report:     wegweiserv1connect.NewReportServiceClient(c, u, opts...),
		Agent:      agentv1connect.NewAgentServiceClient(c, u, opts...),
	}
}

// bearerInterceptor adds "Authorization: Bearer <token>" to every request.
func bearerInterceptor(token string) connect.UnaryInterceptorFunc {
	return func(next connect.UnaryFunc) connect.UnaryFunc {
		return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
			if token != "" {
				req.Header().Set("Authorization", "Bearer "+token)
			}
			return next(ctx, req)
		}
	}
}

// Code returns the Connect code of err as its string ("ok" for nil), to
// compare with the codes of Call's responses.
func Code(err error) string {
	if err == nil {
		return "ok"
	}
	return connect.CodeOf(err).String()
}

// RetryAfter returns the Retry-After header that came with a Connect error
// ("" when err carries none), the hint throttled calls give.
func RetryAfter(err error) string {
	var ce *connect.Error
	if errors.As(err, &ce) {
		return ce.Meta().Get("Retry-After")
	}
	return ""
}

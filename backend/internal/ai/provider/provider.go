// Package provider talks to language model endpoints that speak the OpenAI
// chat-completions protocol: OpenAI, Azure OpenAI, Ollama, vLLM, LM Studio.
package provider

import (
	"errors"
	"net/http"
	"time"

	"github.com/wegweiser/wegweiser/backend/internal/ai"
)

// Config is an endpoint.
type Config struct {
	// BaseURL of the API, e.g. "https://api.openai.com/v1"; for Azure
	// OpenAI the resource's endpoint, e.g. "https://x.openai.azure.com".
	BaseURL string
	// Model name; for Azure OpenAI the deployment name.
	Model string
	// APIKey, sent as a bearer token (as "api-key" for Azure).
	APIKey string
	// AzureAPIVersion selects Azure OpenAI's URL scheme and API version
	// when set.
	AzureAPIVersion string
	// HTTPClient makes the calls; nil uses a client whose dialer refuses
	// nothing (callers pass one that refuses private addresses for tenant
	// endpoints).
	HTTPClient *http.Client
	// Timeout bounds one call (default 60 s).
	Timeout time.Duration
}

// NewOpenAI returns a provider for an OpenAI-compatible endpoint.
func NewOpenAI(cfg Config) (ai.Provider, error) {
	return nil, errors.New("provider: not implemented yet")
}

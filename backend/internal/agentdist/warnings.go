package agentdist

import (
	"net"
	"net/url"
	"strings"
)

// URLWarnings lists what is wrong with the URL that install commands and
// agents use (loopback, plain http), each saying how to fix it; configured
// says whether the operator set it (WEGWEISER_PUBLIC_URL) or it was made
// from the listen address.
func URLWarnings(publicURL string, configured bool) []string {
	const fix = " Set WEGWEISER_PUBLIC_URL (or --public-url) to the https:// address endpoints reach this server at (e.g. https://wegweiser.example.com) and restart the server."
	var out []string
	u, err := url.Parse(publicURL)
	if err != nil || u.Host == "" {
		return []string{"The public URL " + publicURL + " is not a valid URL." + fix}
	}
	what := "The public URL " + publicURL
	if !configured {
		what = "No public URL is set, so the install commands use " + publicURL + " (from the listen address); it"
	}
	if isLoopback(u.Hostname()) {
		out = append(out, what+" is a loopback address: only this machine can reach it, so other endpoints cannot download or enrol the agent."+fix)
		what = "It"
	}
	if u.Scheme == "http" {
		out = append(out, what+" uses plain http: enrolment keys, device tokens and the agent download travel unencrypted."+fix)
	}
	return out
}

func isLoopback(host string) bool {
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && (ip.IsLoopback() || ip.IsUnspecified())
}

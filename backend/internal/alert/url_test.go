package alert

import (
	"testing"
)

// TestWebhookURLs: without the operator's permission, webhooks must be
// https and must not point at loopback, link-local or private addresses.
func TestWebhookURLs(t *testing.T) {
	s := &Service{}
	for _, u := range []string{
		"http://example.com/hook",             // not https
		"https://127.0.0.1/hook",              // loopback
		"https://[::1]/hook",                  // loopback v6
		"https://10.1.2.3/hook",               // private
		"https://192.168.0.10/hook",           // private
		"https://169.254.169.254/latest/meta", // link-local (cloud metadata)
		"https://user:pw@example.com/hook",    // credentials
		"ftp://example.com/x",
		"not a url",
	} {
		if _, err := s.checkURL(u); err == nil {
			t.Errorf("%s accepted", u)
		}
	}
	allowed := &Service{allowPrivate: true}
	if _, err := allowed.checkURL("http://127.0.0.1:8080/hook"); err != nil {
		t.Errorf("operator-allowed private URL refused: %v", err)
	}
}

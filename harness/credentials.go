package harness

import (
	"crypto/tls"
	"net/http"
	"time"
)

// Credentials are what a run shows a shared archive (serve --tokens,
// --client-ca): the vendor's token and the TLS configuration (the
// archive's CA, the system's client certificate). The zero value is an
// embedded archive's: nothing.
type Credentials struct {
	// Token is sent as Authorization: Bearer on every request, to the
	// control API and to the SOAP endpoint.
	Token string
	// TLS configures https:// connections; nil means Go's defaults.
	TLS *tls.Config
}

// HTTPClient returns a client that sends every request with the
// credentials, with the timeout.
func (c Credentials) HTTPClient(timeout time.Duration) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if c.TLS != nil {
		tr.TLSClientConfig = c.TLS.Clone()
	}
	var rt http.RoundTripper = tr
	if c.Token != "" {
		rt = bearer{token: c.Token, next: tr}
	}
	return &http.Client{Transport: rt, Timeout: timeout}
}

// bearer adds a bearer token to requests that carry no Authorization.
type bearer struct {
	token string
	next  http.RoundTripper
}

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Header.Get("Authorization") != "" {
		return b.next.RoundTrip(r)
	}
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return b.next.RoundTrip(r)
}

package server_test

import (
	"crypto/tls"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/yhteistestaus/yhteistestaus/simulator/access"
	"github.com/yhteistestaus/yhteistestaus/simulator/access/accesstest"
	"github.com/yhteistestaus/yhteistestaus/simulator/server"
)

// get fetches /api/sessions with the TLS configuration and returns the
// status, or the error.
func getTLS(t *testing.T, url string, conf *tls.Config) (int, error) {
	t.Helper()
	c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: conf}}
	defer c.CloseIdleConnections()
	resp, err := c.Get(url + "/api/sessions")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}

// clientTLS is access.ClientTLS, presenting the client certificate
// whatever CAs the server names (Go's client would otherwise send none
// for a server that names another CA), so that the server's check is what
// is tested.
func clientTLS(t *testing.T, ca, cert, key string) *tls.Config {
	t.Helper()
	conf, err := access.ClientTLS(ca, cert, key)
	if err != nil {
		t.Fatal(err)
	}
	if len(conf.Certificates) == 1 {
		c := conf.Certificates[0]
		conf.Certificates = nil
		conf.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &c, nil }
	}
	return conf
}

// serve --tls-cert/--tls-key speaks HTTPS with the server certificate;
// with --client-ca only a client with a system certificate the CA issued
// is served, as Kanta authenticates systems. A client without a
// certificate, or with one of another CA, is refused in the handshake.
func TestTLSAndClientCertificates(t *testing.T) {
	pki := accesstest.NewPKI(t, "Yhteistestaus TEST CA for servers and systems")
	other := accesstest.NewPKI(t, "Another CA")

	t.Run("server certificate", func(t *testing.T) {
		conf, err := access.ServerTLS(pki.ServerCert, pki.ServerKey, "")
		if err != nil {
			t.Fatal(err)
		}
		s := startConfigured(t, func(s *server.Server) { s.TLS = conf })
		if !strings.HasPrefix(s.URL(), "https://") {
			t.Fatalf("URL %s, want https://", s.URL())
		}
		if status, err := getTLS(t, s.URL(), clientTLS(t, pki.CA, "", "")); err != nil || status != http.StatusOK {
			t.Errorf("a client trusting the CA: %d %v, want 200", status, err)
		}
		if _, err := getTLS(t, s.URL(), clientTLS(t, other.CA, "", "")); err == nil {
			t.Error("a client trusting another CA accepted the server's certificate")
		}
	})

	t.Run("client certificates", func(t *testing.T) {
		conf, err := access.ServerTLS(pki.ServerCert, pki.ServerKey, pki.CA)
		if err != nil {
			t.Fatal(err)
		}
		s := startConfigured(t, func(s *server.Server) { s.TLS = conf })
		tests := []struct {
			name       string
			cert, key  string
			wantServed bool
		}{
			{"no certificate", "", "", false},
			{"a system certificate of the CA", pki.ClientCert, pki.ClientKey, true},
			{"a system certificate of another CA", other.ClientCert, other.ClientKey, false},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				status, err := getTLS(t, s.URL(), clientTLS(t, pki.CA, tt.cert, tt.key))
				if served := err == nil && status == http.StatusOK; served != tt.wantServed {
					t.Errorf("status %d, error %v; want served %v", status, err, tt.wantServed)
				}
			})
		}
	})
}

func TestTLSFilesAreChecked(t *testing.T) {
	pki := accesstest.NewPKI(t, "Test CA")
	tests := []struct {
		name                string
		cert, key, clientCA string
		want                string
	}{
		{"no key", pki.ServerCert, "", "", "both"},
		{"key of another certificate", pki.ServerCert, pki.ClientKey, "", "private key does not match"},
		{"missing file", pki.ServerCert + ".missing", pki.ServerKey, "", "no such file"},
		{"client CA that is a key", pki.ServerCert, pki.ServerKey, pki.ServerKey, "no PEM certificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := access.ServerTLS(tt.cert, tt.key, tt.clientCA)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one saying %q", err, tt.want)
			}
		})
	}
	if _, err := access.ClientTLS("", pki.ClientCert, ""); err == nil {
		t.Error("ClientTLS took a certificate without its key")
	}
}

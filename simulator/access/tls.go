package access

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"

	"github.com/yhteistestaus/yhteistestaus/datafile"
)

// ServerTLS returns the TLS configuration of `serve --tls-cert FILE
// --tls-key FILE [--client-ca FILE]`: the server's certificate (PEM, the
// chain after the leaf) and key, and, with a client CA file, the
// requirement that every client present a certificate that one of the
// file's CAs issued, verified, before any request is read. That is how
// Kanta authenticates systems: a TLS client certificate from DVV (its test
// CA for the test environment). TLS 1.2 is the least accepted.
func ServerTLS(certFile, keyFile, clientCAFile string) (*tls.Config, error) {
	if certFile == "" || keyFile == "" {
		return nil, errors.New("give both the certificate and its key")
	}
	cert, err := loadKeyPair(certFile, keyFile)
	if err != nil {
		return nil, err
	}
	conf := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	if clientCAFile != "" {
		pool, err := LoadCertPool(clientCAFile)
		if err != nil {
			return nil, err
		}
		conf.ClientCAs = pool
		conf.ClientAuth = tls.RequireAndVerifyClientCert
	}
	return conf, nil
}

// ClientTLS returns the TLS configuration of a client of an https://
// archive (`run --ca FILE --client-cert FILE --client-key FILE`): the CAs
// that issued the archive's certificate (empty: the system's roots) and the
// system's own client certificate and key (empty: none).
func ClientTLS(caFile, certFile, keyFile string) (*tls.Config, error) {
	conf := &tls.Config{MinVersion: tls.VersionTLS12}
	if caFile != "" {
		pool, err := LoadCertPool(caFile)
		if err != nil {
			return nil, err
		}
		conf.RootCAs = pool
	}
	if (certFile == "") != (keyFile == "") {
		return nil, errors.New("give both the client certificate and its key")
	}
	if certFile != "" {
		cert, err := loadKeyPair(certFile, keyFile)
		if err != nil {
			return nil, err
		}
		conf.Certificates = []tls.Certificate{cert}
	}
	return conf, nil
}

// LoadCertPool reads the PEM certificates of file into a pool; a file
// with none is an error.
func LoadCertPool(file string) (*x509.CertPool, error) {
	data, err := datafile.ReadFile(file, datafile.MaxSize)
	if err != nil {
		return nil, fmt.Errorf("CA file: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(data) {
		return nil, fmt.Errorf("CA file %s: no PEM certificate in it", file)
	}
	return pool, nil
}

func loadKeyPair(certFile, keyFile string) (tls.Certificate, error) {
	certPEM, err := datafile.ReadFile(certFile, datafile.MaxSize)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("certificate: %w", err)
	}
	keyPEM, err := datafile.ReadFile(keyFile, datafile.MaxSize)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("key: %w", err)
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("certificate %s with key %s: %w", certFile, keyFile, err)
	}
	return cert, nil
}

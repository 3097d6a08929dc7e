package main

// Certificates, keys and the admin token, generated once per data dir and
// reused on restart.

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"
)

type pki struct {
	dir         string
	caCert      string // PEM files
	caKey       string
	servingCert string
	servingKey  string
	saKey       string
	saPub       string
	tokenFile   string
	caPEM       []byte
	adminToken  string
}

func newPKI(dir string) *pki {
	return &pki{
		dir:         dir,
		caCert:      filepath.Join(dir, "ca.crt"),
		caKey:       filepath.Join(dir, "ca.key"),
		servingCert: filepath.Join(dir, "apiserver.crt"),
		servingKey:  filepath.Join(dir, "apiserver.key"),
		saKey:       filepath.Join(dir, "sa.key"),
		saPub:       filepath.Join(dir, "sa.pub"),
		tokenFile:   filepath.Join(dir, "tokens.csv"),
	}
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// ensure creates whatever is missing and loads the CA and admin token.
func (p *pki) ensure() error {
	if err := os.MkdirAll(p.dir, 0o700); err != nil {
		return err
	}
	// CA
	var caCert *x509.Certificate
	var caKey *ecdsa.PrivateKey
	if exists(p.caCert) && exists(p.caKey) {
		var err error
		if caCert, caKey, err = loadCertAndKey(p.caCert, p.caKey); err != nil {
			return fmt.Errorf("load CA: %w", err)
		}
	} else {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return err
		}
		tmpl := &x509.Certificate{
			SerialNumber:          serial(),
			Subject:               pkix.Name{CommonName: "caravan-controlplane-ca"},
			NotBefore:             time.Now().Add(-time.Hour),
			NotAfter:              time.Now().Add(10 * 365 * 24 * time.Hour),
			KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature | x509.KeyUsageCRLSign,
			BasicConstraintsValid: true,
			IsCA:                  true,
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		if err != nil {
			return err
		}
		if caCert, err = x509.ParseCertificate(der); err != nil {
			return err
		}
		caKey = key
		if err := writeKey(p.caKey, key); err != nil {
			return err
		}
		if err := writePEM(p.caCert, "CERTIFICATE", der, 0o644); err != nil {
			return err
		}
		// A new CA invalidates any old serving cert.
		os.Remove(p.servingCert)
	}
	var err error
	if p.caPEM, err = os.ReadFile(p.caCert); err != nil {
		return err
	}

	// Serving certificate for kube-apiserver.
	if !(exists(p.servingCert) && exists(p.servingKey)) {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return err
		}
		tmpl := &x509.Certificate{
			SerialNumber: serial(),
			Subject:      pkix.Name{CommonName: "kube-apiserver"},
			NotBefore:    time.Now().Add(-time.Hour),
			NotAfter:     time.Now().Add(10 * 365 * 24 * time.Hour),
			KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
			ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
			IPAddresses:  []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("::1"), net.ParseIP("10.96.0.1")},
			DNSNames: []string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc",
				"kubernetes.default.svc.cluster.local"},
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
		if err != nil {
			return err
		}
		if err := writeKey(p.servingKey, key); err != nil {
			return err
		}
		if err := writePEM(p.servingCert, "CERTIFICATE", der, 0o644); err != nil {
			return err
		}
	}

	// Service-account signing key pair.
	if !(exists(p.saKey) && exists(p.saPub)) {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return err
		}
		pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
		if err != nil {
			return err
		}
		if err := writeKey(p.saKey, key); err != nil {
			return err
		}
		if err := writePEM(p.saPub, "PUBLIC KEY", pub, 0o644); err != nil {
			return err
		}
	}

	// Static token file: token,user,uid,"groups".
	if data, err := os.ReadFile(p.tokenFile); err == nil {
		tok, _, _ := strings.Cut(strings.TrimSpace(string(data)), ",")
		if tok == "" {
			return fmt.Errorf("%s: no token", p.tokenFile)
		}
		p.adminToken = tok
	} else {
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return err
		}
		p.adminToken = hex.EncodeToString(b)
		line := fmt.Sprintf("%s,admin,admin,\"system:masters\"\n", p.adminToken)
		if err := writeFileAtomic(p.tokenFile, []byte(line), 0o600); err != nil {
			return err
		}
	}
	return nil
}

func serial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 126))
	return n.Add(n, big.NewInt(1))
}

func writeKey(path string, key *ecdsa.PrivateKey) error {
	der, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return err
	}
	return writePEM(path, "EC PRIVATE KEY", der, 0o600)
}

func writePEM(path, typ string, der []byte, mode os.FileMode) error {
	return writeFileAtomic(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), mode)
}

func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, mode); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func loadCertAndKey(certPath, keyPath string) (*x509.Certificate, *ecdsa.PrivateKey, error) {
	cb, err := os.ReadFile(certPath)
	if err != nil {
		return nil, nil, err
	}
	kb, err := os.ReadFile(keyPath)
	if err != nil {
		return nil, nil, err
	}
	cblk, _ := pem.Decode(cb)
	kblk, _ := pem.Decode(kb)
	if cblk == nil || kblk == nil {
		return nil, nil, errors.New("bad PEM")
	}
	cert, err := x509.ParseCertificate(cblk.Bytes)
	if err != nil {
		return nil, nil, err
	}
	key, err := x509.ParseECPrivateKey(kblk.Bytes)
	if err != nil {
		return nil, nil, err
	}
	return cert, key, nil
}

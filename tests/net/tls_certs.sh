#!/bin/sh
# tls_certs.sh DIR: a throwaway PKI for the TLS tests, made with the openssl
# CLI (P-256 keys, valid two days):
#   ca.pem/.key        the test CA
#   other_ca.pem       a CA nobody's certificates come from
#   server.pem/.key    localhost and 127.0.0.1 (subjectAltName), from ca
#   wrong.pem/.key     other.example only, from ca
#   self.pem/.key      localhost and 127.0.0.1, self-signed
#   client.pem/.key    a client certificate, from ca
set -eu
d=$1
mkdir -p "$d"
cd "$d"
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
ca() { # name subject
    key "$1.key"
    openssl req -x509 -new -key "$1.key" -out "$1.pem" -days 2 -subj "/CN=$2" \
        -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
}
leaf() { # name cn san usage
    key "$1.key"
    openssl req -new -key "$1.key" -out "$1.csr" -subj "/CN=$2" 2>/dev/null
    printf 'basicConstraints=CA:FALSE\nextendedKeyUsage=%s\n%s\n' "$4" "$3" >"$1.ext"
    openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -out "$1.pem" -days 2 \
        -extfile "$1.ext" 2>/dev/null
}
ca ca "acc test CA"
ca other_ca "acc other CA"
leaf server localhost "subjectAltName=DNS:localhost,IP:127.0.0.1" serverAuth
leaf wrong other.example "subjectAltName=DNS:other.example" serverAuth
leaf client "acc test client" "" clientAuth
key self.key
openssl req -x509 -new -key self.key -out self.pem -days 2 -subj /CN=localhost \
    -addext subjectAltName=DNS:localhost,IP:127.0.0.1 2>/dev/null

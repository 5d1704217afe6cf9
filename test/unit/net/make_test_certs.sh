#!/bin/sh
# Generates the TLS test PKI into directory $1 (run by tls_test.cc at test time; nothing is
# committed): a CA, a second unrelated CA, a server certificate for DNS localhost + IP 127.0.0.1,
# one for DNS localhost only, and client certificates with PKCS#8, SEC1 and PKCS#1 keys.
set -eu
cd "$1"
days=2
ca() {  # name, subject
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days $days \
    -subj "/CN=$2" -keyout "$1.key" -out "$1.pem" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
}
leaf() {  # name, subject, extensions, [existing key]
  if [ $# -ge 4 ]; then
    openssl req -new -key "$4" -subj "/CN=$2" -out "$1.csr" 2>/dev/null
  else
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=$2" \
      -keyout "$1.key" -out "$1.csr" 2>/dev/null
  fi
  printf '%s\n' "$3" > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days $days \
    -extfile "$1.ext" -out "$1.pem" 2>/dev/null
}
ca ca imps-test-ca
ca other-ca imps-other-ca
leaf server localhost "subjectAltName=DNS:localhost,IP:127.0.0.1
extendedKeyUsage=serverAuth"
leaf server-noip localhost "subjectAltName=DNS:localhost
extendedKeyUsage=serverAuth"
leaf client imps-client "extendedKeyUsage=clientAuth"
openssl ec -in client.key -out client-sec1.key 2>/dev/null
openssl genrsa -traditional -out client-rsa.key 2048 2>/dev/null
leaf client-rsa imps-client-rsa "extendedKeyUsage=clientAuth" client-rsa.key

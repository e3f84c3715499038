#!/usr/bin/env python3
# shellcheck disable=SC1071 # a Python program beside shell scripts: `shellcheck tools/registry.d/*` passes over it
"""token-server.py - the Bearer token server of tools/registry's "token" registry.

  token-server.py --port PORT --key KEY.pem --service NAME --issuer NAME
                  --credentials USER:PASSWORD

Listens on 127.0.0.1:PORT and answers what Docker's registry token
specification asks of an authorization service (distribution's
docs/spec/auth/token.md and jwt.md):

  GET /token?service=SERVICE&scope=repository:NAME:pull,push[&scope=...]
      with Basic credentials USER:PASSWORD: 200 and
      {"token": JWT, "access_token": JWT, "expires_in": 300, "issued_at": ...};
      without them, or with others: 401 and a JSON error.

The JWT is signed RS256 with KEY (by `openssl dgst`, so nothing beyond
Python's standard library is needed). Its header names the key by "kid" in
libtrust's key-id form, which is how docker-registry 2.8 finds the key among
those of its rootcertbundle: the sha256 of the DER SubjectPublicKeyInfo,
its first 240 bits in base32, in 12 groups of 4 joined by ":". The user
gets every action asked for on any repository (a test fixture, not a policy).
"""

import argparse
import base64
import binascii
import hashlib
import http.server
import json
import secrets
import subprocess
import sys
import time
import urllib.parse

LIFETIME = 300  # seconds a token is good for


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def libtrust_key_id(key_path):
    der = subprocess.run(["openssl", "pkey", "-in", key_path, "-pubout", "-outform", "DER"],
                         check=True, stdout=subprocess.PIPE).stdout
    b32 = base64.b32encode(hashlib.sha256(der).digest()[:30]).decode()
    return ":".join(b32[i:i + 4] for i in range(0, len(b32), 4))


def sign_rs256(key_path, data):
    return subprocess.run(["openssl", "dgst", "-sha256", "-sign", key_path],
                          input=data, check=True, stdout=subprocess.PIPE).stdout


def access_for(scopes):
    """The access claim for the scopes asked for ("type:name:actions", the
    name itself may hold a colon), each once, in the order asked."""
    access = []
    for scope in scopes:
        kind, _, rest = scope.partition(":")
        name, _, actions = rest.rpartition(":")
        if not kind or not name:
            continue
        access.append({"type": kind, "name": name,
                       "actions": [a for a in actions.split(",") if a]})
    return access


class Handler(http.server.BaseHTTPRequestHandler):
    server_version = "hop-token-server"
    protocol_version = "HTTP/1.1"  # keep-alive: every reply has a Content-Length

    def reply(self, status, body, challenge=False):
        data = json.dumps(body).encode() + b"\n"
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        if challenge:
            self.send_header("WWW-Authenticate", f'Basic realm="{self.server.issuer}"')
        self.end_headers()
        self.wfile.write(data)

    def error(self, status, code, message, challenge=False):
        self.reply(status, {"errors": [{"code": code, "message": message}]}, challenge)

    def authenticated(self):
        header = self.headers.get("Authorization", "")
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            user, _, password = base64.b64decode(value.strip(), validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        want_user, _, want_password = self.server.credentials.partition(":")
        if secrets.compare_digest(f"{user}:{password}", f"{want_user}:{want_password}"):
            return user
        return None

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path != "/token":
            self.error(404, "NOT_FOUND", f"no {url.path} here: ask /token")
            return
        query = urllib.parse.parse_qs(url.query)
        service = query.get("service", [self.server.service])[0]
        if service != self.server.service:
            self.error(400, "DENIED", f"unknown service {service!r}")
            return
        user = self.authenticated()
        if user is None:
            self.error(401, "UNAUTHORIZED",
                       "wrong user name or password" if "Authorization" in self.headers
                       else "authentication required (Basic)", challenge=True)
            return
        # A scope parameter may itself hold several scopes, space-separated.
        scopes = [s for value in query.get("scope", []) for s in value.split()]
        now = int(time.time())
        header = {"typ": "JWT", "alg": "RS256", "kid": self.server.key_id}
        claims = {"iss": self.server.issuer, "sub": user, "aud": service,
                  "exp": now + LIFETIME, "nbf": now - 1, "iat": now,
                  "jti": secrets.token_hex(16), "access": access_for(scopes)}
        signing_input = (b64url(json.dumps(header, separators=(",", ":")).encode()) + "." +
                         b64url(json.dumps(claims, separators=(",", ":")).encode()))
        token = signing_input + "." + b64url(sign_rs256(self.server.key, signing_input.encode()))
        issued = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))
        self.reply(200, {"token": token, "access_token": token,
                         "expires_in": LIFETIME, "issued_at": issued})

    def do_POST(self):
        # The OAuth2 form (grant_type=password, refresh tokens) is not
        # served: clients fall back to GET on 404.
        self.error(404, "UNSUPPORTED", "POST /token (OAuth2) is not served: use GET")

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        sys.stderr.write("%s %s\n" % (self.log_date_time_string(), format % args))


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--service", required=True)
    parser.add_argument("--issuer", required=True)
    parser.add_argument("--credentials", required=True)
    args = parser.parse_args()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.key, server.service, server.issuer = args.key, args.service, args.issuer
    server.credentials = args.credentials
    server.key_id = libtrust_key_id(args.key)
    sys.stderr.write(f"token server on 127.0.0.1:{args.port}, key id {server.key_id}\n")
    sys.stderr.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())

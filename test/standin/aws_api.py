#!/usr/bin/python3
"""AWS stand-in for imps' tests: ECR GetAuthorizationToken (JSON 1.1), STS AssumeRole and
AssumeRoleWithWebIdentity (Query protocol, XML responses) and an EKS Pod Identity style
container-credentials endpoint, over HTTPS with a certificate the caller provides.

Every signed request is verified by botocore (aws_sigv4_check), so an independent AWS
implementation checks imps' signer. Behaviour follows the AWS API references: ECR errors are
{"__type","message"} with HTTP 400, STS errors are XML ErrorResponse documents, ECR expiresAt is
an epoch number in exponent form, AssumeRoleWithWebIdentity is unsigned.

Control API (plain HTTP on the admin port, JSON bodies):
  POST /admin/keys      {"access_key_id","secret","session_token"?}   add a static key
  POST /admin/config    {"token_validity_seconds"?, "web_identity_token"?, "role_arns"?: [...],
                         "container_token"?, "temp_credentials_seconds"?, "clock_offset_seconds"?}
                        clock_offset_seconds: the stand-in's clock runs that far ahead (negative:
                        behind) of this host's, in its Date headers and its signature-time checks
                        (ECR allows 15 minutes of skew, STS 5, as AWS does)
  POST /admin/fail      {"count", "kind": "throttle"|"server"|"expired", "action"?}
  POST /admin/expire    {}  every temporary credential issued so far becomes expired
  GET  /admin/counts    {"GetAuthorizationToken": n, "AssumeRole": n, ...,
                         "by_key": {akid: n}, "regions": {region: n},
                         "service_seconds": {action: {"count", "total", "max"}}}
                        service_seconds: how long the stand-in took to answer each ECR/STS request
                        (body read → response written), so benchmarks can tell its share
  POST /admin/reset_counts
Usage: aws_api.py --cert C --key K [--port 0] [--admin-port 0]; prints one JSON line
{"port":..,"admin_port":..,"container_port":..} when ready; runs until SIGTERM.
"""
import argparse
import base64
import json
import signal
import ssl
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import aws_sigv4_check as sigv4

ECR_TARGET = 'AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken'
STS_NS = 'https://sts.amazonaws.com/doc/2011-06-15/'
MAX_BODY = 1 << 20


class AwsState:
    def __init__(self):
        self.lock = threading.Lock()
        self.keys = {}          # akid -> (secret, session_token or None, expires_at or None)
        self.validity = 43200   # ECR token lifetime, seconds (12 h like AWS)
        self.temp_seconds = 3600
        self.web_identity_token = None
        self.role_arns = None   # None = any role may be assumed
        self.container_token = None
        self.failures = []      # [kind, remaining, action or None]
        self.counts = {}
        self.by_key = {}
        self.regions = {}
        self.service = {}       # action -> [count, total seconds, max seconds]
        self.serial = 0
        self.clock_offset = 0.0  # seconds the "AWS" clock is ahead of this host's

    def now(self):
        return time.time() + self.clock_offset

    def count(self, action, akid=None, region=None):
        with self.lock:
            self.counts[action] = self.counts.get(action, 0) + 1
            if akid:
                self.by_key[akid] = self.by_key.get(akid, 0) + 1
            if region:
                self.regions[region] = self.regions.get(region, 0) + 1

    def served(self, action, seconds):
        with self.lock:
            entry = self.service.setdefault(action, [0, 0.0, 0.0])
            entry[0] += 1
            entry[1] += seconds
            entry[2] = max(entry[2], seconds)

    def take_failure(self, action):
        with self.lock:
            for f in self.failures:
                if f[1] > 0 and (f[2] is None or f[2] == action):
                    f[1] -= 1
                    return f[0]
        return None

    def secret_for(self, akid):
        with self.lock:
            entry = self.keys.get(akid)
        if entry is None:
            return None
        secret, token, _ = entry
        # Expired credentials still sign correctly; AWS then answers ExpiredToken(Exception).
        return (secret, token)

    def is_expired(self, akid):
        with self.lock:
            entry = self.keys.get(akid)
        return entry is not None and entry[2] is not None and entry[2] <= self.now()

    def issue_temporary(self):
        with self.lock:
            self.serial += 1
            akid = 'ASIASTANDIN%08d' % self.serial
            secret = 'tempsecret%08d' % self.serial
            token = 'FwoGZXIvYXdzEXAMPLETOKEN%08d' % self.serial
            expires = self.now() + self.temp_seconds
            self.keys[akid] = (secret, token, expires)
        return akid, secret, token, expires

    def next_password(self, expires):
        """Shaped like a real ECR password: base64 of a JSON object that carries the token's
        expiry (Unix seconds) in "expiration", which clients may read back from a pull Secret."""
        with self.lock:
            self.serial += 1
            serial = self.serial
        token = {'payload': 'standin-%08d' % serial, 'datakey': 'standin', 'version': '2', 'type': 'DATA_KEY',
                 'expiration': int(expires)}
        return base64.b64encode(json.dumps(token, separators=(',', ':')).encode()).decode()


def iso8601(ts):
    return time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(ts))


class AwsHandler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'aws-standin'
    state = None  # set by make_server

    def log_message(self, fmt, *args):
        pass

    def date_time_string(self, timestamp=None):
        return super().date_time_string(self.state.now() if timestamp is None else timestamp)

    def read_body(self):
        length = int(self.headers.get('Content-Length') or 0)
        if length > MAX_BODY:
            raise ValueError('body too large')
        return self.rfile.read(length)

    def send(self, code, ctype, body, extra=()):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(code)
        self.send_header('Content-Type', ctype)
        self.send_header('Content-Length', str(len(data)))
        self.send_header('x-amzn-RequestId', 'standin-%d' % time.time_ns())
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    # ECR -----------------------------------------------------------------------------------
    def ecr_error(self, code, message, status=400):
        self.send(status, 'application/x-amz-json-1.1', json.dumps({'__type': code, 'message': message}),
                  [('x-amzn-ErrorType', code)])

    def handle_ecr(self, body):
        st = self.state
        try:
            akid = sigv4.verify('POST', self.url(), self.headers.items(), body, st.secret_for, 'ecr',
                                now=st.now(), window_minutes=15)
        except sigv4.SignatureError as e:
            st.count('GetAuthorizationToken.rejected')
            return self.ecr_error(e.code, str(e), 400 if e.code != 'AccessDeniedException' else 400)
        auth = sigv4.parse_authorization(self.headers.get('Authorization'))
        st.count('GetAuthorizationToken', akid, auth['region'])
        if st.is_expired(akid):
            return self.ecr_error('ExpiredTokenException', 'The security token included in the request is expired')
        failure = st.take_failure('GetAuthorizationToken')
        if failure == 'throttle':
            return self.ecr_error('ThrottlingException', 'Rate exceeded')
        if failure == 'server':
            return self.ecr_error('ServerException', 'internal error', 500)
        if failure == 'expired':
            return self.ecr_error('ExpiredTokenException', 'The security token included in the request is expired')
        if body.strip() not in (b'{}', b''):
            try:
                json.loads(body)
            except ValueError:
                return self.ecr_error('SerializationException', 'malformed body')
        expires = st.now() + st.validity
        password = st.next_password(expires)
        token = base64.b64encode(('AWS:' + password).encode()).decode()
        # JSON 1.1 timestamps are epoch seconds, here in exponent form as AWS sends them.
        body = ('{"authorizationData":[{"authorizationToken":"%s","expiresAt":%.10E,'
                '"proxyEndpoint":"https://123456789012.dkr.ecr.%s.amazonaws.com"}]}'
                % (token, expires, auth['region']))
        self.send(200, 'application/x-amz-json-1.1', body)

    # STS -----------------------------------------------------------------------------------
    def sts_error(self, code, message, status=400, kind='Sender'):
        xml = ('<ErrorResponse xmlns="%s"><Error><Type>%s</Type><Code>%s</Code><Message>%s</Message>'
               '</Error><RequestId>standin</RequestId></ErrorResponse>' % (STS_NS, kind, code, _xml_escape(message)))
        self.send(status, 'text/xml', xml)

    def sts_credentials(self, action, extra=''):
        akid, secret, token, expires = self.state.issue_temporary()
        xml = ('<{a}Response xmlns="{ns}"><{a}Result>{extra}<AssumedRoleUser><Arn>arn:aws:sts::123456789012:'
               'assumed-role/demo/imps</Arn><AssumedRoleId>AROASTANDIN:imps</AssumedRoleId></AssumedRoleUser>'
               '<Credentials><SecretAccessKey>{secret}</SecretAccessKey><SessionToken>{token}</SessionToken>'
               '<Expiration>{exp}</Expiration><AccessKeyId>{akid}</AccessKeyId></Credentials>'
               '</{a}Result><ResponseMetadata><RequestId>standin</RequestId></ResponseMetadata></{a}Response>'
               ).format(a=action, ns=STS_NS, extra=extra, secret=secret, token=token,
                        exp=iso8601(expires), akid=akid)
        self.send(200, 'text/xml', xml)

    def handle_sts(self, body):
        st = self.state
        params = dict(urllib.parse.parse_qsl(body.decode('utf-8', 'replace'), keep_blank_values=True))
        action = params.get('Action', '')
        if params.get('Version') != '2011-06-15':
            return self.sts_error('InvalidAction', 'Version must be 2011-06-15')
        role = params.get('RoleArn', '')
        session = params.get('RoleSessionName', '')
        if not role or not (2 <= len(session) <= 64):
            return self.sts_error('ValidationError', 'RoleArn and RoleSessionName (2-64 chars) are required')
        if st.role_arns is not None and role not in st.role_arns:
            return self.sts_error('AccessDenied', 'not authorized to perform sts:%s on %s' % (action, role), 403)
        if action == 'AssumeRoleWithWebIdentity':
            if 'Authorization' in self.headers:
                return self.sts_error('InvalidRequest', 'AssumeRoleWithWebIdentity must not be signed')
            st.count(action)
            if st.web_identity_token is None or params.get('WebIdentityToken') != st.web_identity_token:
                return self.sts_error('InvalidIdentityToken', 'The web identity token is not valid')
            if st.take_failure(action) is not None:
                return self.sts_error('IDPCommunicationError', 'try again', 400)
            return self.sts_credentials(action, '<Provider>standin</Provider><Audience>sts.amazonaws.com</Audience>')
        if action == 'AssumeRole':
            try:
                akid = sigv4.verify('POST', self.url(), self.headers.items(), body, st.secret_for, 'sts',
                                    now=st.now(), window_minutes=5)
            except sigv4.SignatureError as e:
                st.count('AssumeRole.rejected')
                code = {'UnrecognizedClientException': 'InvalidClientTokenId',
                        'InvalidSignatureException': 'SignatureDoesNotMatch'}.get(e.code, e.code)
                return self.sts_error(code, str(e), 403)
            st.count(action, akid)
            if st.is_expired(akid):
                return self.sts_error('ExpiredToken', 'The security token included in the request is expired')
            failure = st.take_failure(action)
            if failure == 'throttle':
                return self.sts_error('Throttling', 'Rate exceeded')
            if failure is not None:
                return self.sts_error('InternalFailure', 'internal error', 500, 'Receiver')
            return self.sts_credentials(action)
        return self.sts_error('InvalidAction', 'unknown action')

    def url(self):
        return 'https://%s%s' % (self.headers.get('Host', 'localhost'), self.path)

    def do_POST(self):
        try:
            body = self.read_body()
        except ValueError:
            return self.send(413, 'text/plain', 'too large')
        started = time.monotonic()
        action = self.route(body)
        self.state.served(action, time.monotonic() - started)

    def route(self, body):
        """Answers one request; returns the action's name for the service-time record."""
        target = self.headers.get('X-Amz-Target')
        if target == ECR_TARGET:
            if self.headers.get('Content-Type') != 'application/x-amz-json-1.1':
                self.ecr_error('SerializationException', 'Content-Type must be application/x-amz-json-1.1')
            else:
                self.handle_ecr(body)
            return 'GetAuthorizationToken'
        if target:
            self.ecr_error('UnknownOperationException', 'unknown operation')
            return 'unknown'
        if (self.headers.get('Content-Type') or '').startswith('application/x-www-form-urlencoded'):
            self.handle_sts(body)
            return dict(urllib.parse.parse_qsl(body.decode('utf-8', 'replace'))).get('Action') or 'unknown'
        self.send(400, 'text/plain', 'unrecognised request')
        return 'unknown'


class ContainerHandler(BaseHTTPRequestHandler):
    """EKS Pod Identity agent: GET /v1/credentials with the raw token in Authorization."""
    protocol_version = 'HTTP/1.1'
    state = None

    def log_message(self, fmt, *args):
        pass

    def do_GET(self):
        st = self.state
        st.count('ContainerCredentials')
        if self.path != '/v1/credentials':
            return self.reply(404, 'text/plain', 'not found')
        if st.container_token is None or self.headers.get('Authorization') != st.container_token:
            return self.reply(403, 'text/plain', 'Access Denied. Invalid token')
        akid, secret, token, expires = st.issue_temporary()
        body = json.dumps({'AccessKeyId': akid, 'SecretAccessKey': secret, 'Token': token,
                           'AccountId': '123456789012',
                           'Expiration': time.strftime('%Y-%m-%dT%H:%M:%S.123456789Z', time.gmtime(expires))})
        self.reply(200, 'application/json', body)

    def reply(self, code, ctype, body):
        data = body.encode()
        self.send_response(code)
        self.send_header('Content-Type', ctype)
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class AdminHandler(ContainerHandler):
    def do_GET(self):
        st = self.state
        if self.path == '/admin/counts':
            with st.lock:
                body = dict(st.counts, by_key=dict(st.by_key), regions=dict(st.regions),
                            service_seconds={action: {'count': n, 'total': total, 'max': longest}
                                             for action, (n, total, longest) in st.service.items()})
            return self.reply(200, 'application/json', json.dumps(body))
        self.reply(404, 'text/plain', 'not found')

    def do_POST(self):
        st = self.state
        length = int(self.headers.get('Content-Length') or 0)
        req = json.loads(self.rfile.read(length) or b'{}')
        with st.lock:
            if self.path == '/admin/keys':
                st.keys[req['access_key_id']] = (req['secret'], req.get('session_token'), None)
            elif self.path == '/admin/config':
                st.validity = req.get('token_validity_seconds', st.validity)
                st.temp_seconds = req.get('temp_credentials_seconds', st.temp_seconds)
                st.web_identity_token = req.get('web_identity_token', st.web_identity_token)
                st.role_arns = req.get('role_arns', st.role_arns)
                st.container_token = req.get('container_token', st.container_token)
                st.clock_offset = float(req.get('clock_offset_seconds', st.clock_offset))
            elif self.path == '/admin/fail':
                st.failures.append([req['kind'], int(req['count']), req.get('action')])
            elif self.path == '/admin/expire':
                now = st.now()
                st.keys = {k: (s, t, now - 1 if e is not None else None) for k, (s, t, e) in st.keys.items()}
            elif self.path == '/admin/reset_counts':
                st.counts, st.by_key, st.regions, st.service = {}, {}, {}, {}
            else:
                return self.reply(404, 'text/plain', 'not found')
        self.reply(200, 'application/json', '{}')


def _xml_escape(text):
    return text.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')


def make_servers(cert, key, port=0, admin_port=0, container_port=0):
    state = AwsState()
    handlers = {}
    for name, base in (('aws', AwsHandler), ('admin', AdminHandler), ('container', ContainerHandler)):
        handlers[name] = type(name + 'Handler', (base,), {'state': state})
    aws = ThreadingHTTPServer(('127.0.0.1', port), handlers['aws'])
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    aws.socket = ctx.wrap_socket(aws.socket, server_side=True)
    admin = ThreadingHTTPServer(('127.0.0.1', admin_port), handlers['admin'])
    container = ThreadingHTTPServer(('127.0.0.1', container_port), handlers['container'])
    for s in (aws, admin, container):
        s.daemon_threads = True
    return state, aws, admin, container


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--cert', required=True)
    ap.add_argument('--key', required=True)
    ap.add_argument('--port', type=int, default=0)
    ap.add_argument('--admin-port', type=int, default=0)
    ap.add_argument('--container-port', type=int, default=0)
    args = ap.parse_args()
    _, aws, admin, container = make_servers(args.cert, args.key, args.port, args.admin_port, args.container_port)
    for s in (aws, admin, container):
        threading.Thread(target=s.serve_forever, daemon=True).start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    print(json.dumps({'port': aws.server_address[1], 'admin_port': admin.server_address[1],
                      'container_port': container.server_address[1]}), flush=True)
    stop.wait()
    for s in (aws, admin, container):
        s.shutdown()
    return 0


if __name__ == '__main__':
    sys.exit(main())

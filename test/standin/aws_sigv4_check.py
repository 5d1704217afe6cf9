"""Independent SigV4 verification for the AWS stand-in, done by botocore (Debian's
python3-botocore), so that a real AWS implementation checks the bytes imps sends.

verify(method, url, headers, body, secret_for) recomputes the signature of an incoming request
over exactly the headers the client listed in SignedHeaders, with the client's X-Amz-Date, and
returns (ok, reason). reason names what is wrong without echoing secrets.
"""
import calendar
import re
import time

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

_AUTH_RE = re.compile(
    r'^AWS4-HMAC-SHA256 Credential=(?P<akid>[^/]+)/(?P<date>\d{8})/(?P<region>[^/]+)/'
    r'(?P<service>[^/]+)/aws4_request, SignedHeaders=(?P<signed>[a-z0-9;._-]+), '
    r'Signature=(?P<sig>[0-9a-f]{64})$')

# Headers a client must sign for ECR/STS (SigV4 requires host and the request time).
REQUIRED_SIGNED = {'host', 'x-amz-date'}


class SignatureError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


def parse_authorization(value):
    m = _AUTH_RE.match(value or '')
    if not m:
        raise SignatureError('IncompleteSignatureException',
                             'Authorization header requires Credential, SignedHeaders and Signature')
    return m.groupdict()


def _amz(ts):
    return time.strftime('%Y%m%dT%H%M%SZ', time.gmtime(ts))


def check_time(amz_date, now, window_minutes):
    """AWS's own messages for a request signed too long ago or too far ahead of `now`."""
    try:
        signed = calendar.timegm(time.strptime(amz_date, '%Y%m%dT%H%M%SZ'))
    except ValueError:
        raise SignatureError('IncompleteSignatureException', 'X-Amz-Date is malformed') from None
    window = window_minutes * 60
    if signed < now - window:
        raise SignatureError('InvalidSignatureException', 'Signature expired: %s is now earlier than %s (%s - %d min.)'
                             % (amz_date, _amz(now - window), _amz(now), window_minutes))
    if signed > now + window:
        raise SignatureError('InvalidSignatureException',
                             'Signature not yet current: %s is still later than %s (%s + %d min.)'
                             % (amz_date, _amz(now + window), _amz(now), window_minutes))


def verify(method, url, headers, body, secret_for, expected_service, expected_region=None, now=None,
           window_minutes=15):
    """headers: list of (name, value) as received. secret_for(akid) -> (secret, session_token or
    None) or None when the key is unknown. `now` is the server's clock (default: this host's);
    requests signed more than `window_minutes` from it are rejected as AWS rejects them.
    Raises SignatureError; returns the access key id."""
    hmap = {}
    for name, value in headers:
        hmap.setdefault(name.lower(), []).append(value)
    auth = parse_authorization(';'.join(hmap.get('authorization', [''])))
    signed = auth['signed'].split(';')
    if signed != sorted(signed):
        raise SignatureError('IncompleteSignatureException', 'SignedHeaders are not sorted')
    missing = REQUIRED_SIGNED - set(signed)
    if 'x-amz-security-token' in hmap:
        missing |= {'x-amz-security-token'} - set(signed)
    if 'x-amz-target' in hmap:
        missing |= {'x-amz-target'} - set(signed)
    if missing:
        raise SignatureError('IncompleteSignatureException',
                             'headers not signed: ' + ','.join(sorted(missing)))
    if auth['service'] != expected_service:
        raise SignatureError('InvalidSignatureException',
                             "credential scope service '%s' should be '%s'" % (auth['service'], expected_service))
    if expected_region and auth['region'] != expected_region:
        raise SignatureError('InvalidSignatureException',
                             "credential scope region '%s' should be '%s'" % (auth['region'], expected_region))
    amz_date = ''.join(hmap.get('x-amz-date', ['']))
    if not amz_date.startswith(auth['date']):
        raise SignatureError('InvalidSignatureException', 'credential scope date does not match X-Amz-Date')
    known = secret_for(auth['akid'])
    if known is None:
        raise SignatureError('UnrecognizedClientException',
                             'The security token included in the request is invalid.')
    secret, token = known
    if token is not None and ''.join(hmap.get('x-amz-security-token', [''])) != token:
        raise SignatureError('UnrecognizedClientException',
                             'The security token included in the request is invalid.')

    sign_headers = {}
    for name in signed:
        if name not in hmap:
            raise SignatureError('IncompleteSignatureException', 'signed header %s is absent' % name)
        sign_headers[name] = ','.join(v.strip() for v in hmap[name])
    request = AWSRequest(method=method, url=url, headers=sign_headers, data=body)
    signer = SigV4Auth(Credentials(auth['akid'], secret, token), auth['service'], auth['region'])
    request.context['timestamp'] = amz_date
    canonical = signer.canonical_request(request)
    string_to_sign = signer.string_to_sign(request, canonical)
    expected = signer.signature(string_to_sign, request)
    if expected != auth['sig']:
        raise SignatureError(
            'InvalidSignatureException',
            'The request signature we calculated does not match the signature you provided. '
            'The Canonical String for this request should have been\n%s\n\nThe String-to-Sign '
            'should have been\n%s' % (canonical, string_to_sign))
    check_time(amz_date, time.time() if now is None else now, window_minutes)
    return auth['akid']

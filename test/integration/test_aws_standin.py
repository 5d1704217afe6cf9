"""Fidelity of the AWS stand-in: botocore, a real AWS client, talks to it as it would to AWS.
Its signatures are accepted, wrong keys and tampered requests are rejected with AWS's error
types, STS credentials work for ECR, and failure injection behaves as documented."""
import base64
import email.utils
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.request

sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'standin'))
import aws_api  # noqa: E402

import botocore.session  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

AKID = 'AKIDEXAMPLE'
SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY'


class AwsStandinTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cert, key = os.path.join(cls.tmp.name, 'cert.pem'), os.path.join(cls.tmp.name, 'key.pem')
        subprocess.run(['openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256',
                        '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost',
                        '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'],
                       check=True, capture_output=True)
        cls.cert = cert
        cls.state, *cls.servers = aws_api.make_servers(cert, key)
        for s in cls.servers:
            threading.Thread(target=s.serve_forever, daemon=True).start()
        cls.url = 'https://localhost:%d' % cls.servers[0].server_address[1]
        cls.admin = 'http://127.0.0.1:%d' % cls.servers[1].server_address[1]
        cls.post('/admin/keys', {'access_key_id': AKID, 'secret': SECRET})

    @classmethod
    def tearDownClass(cls):
        for s in cls.servers:
            s.shutdown()
            s.server_close()
        cls.tmp.cleanup()

    @classmethod
    def post(cls, path, body):
        req = urllib.request.Request(cls.admin + path, data=json.dumps(body).encode(), method='POST')
        urllib.request.urlopen(req).read()

    def counts(self):
        return json.loads(urllib.request.urlopen(self.admin + '/admin/counts').read())

    def client(self, service, akid=AKID, secret=SECRET, token=None, region='us-west-2'):
        return botocore.session.get_session().create_client(
            service, region_name=region, endpoint_url=self.url, verify=self.cert,
            aws_access_key_id=akid, aws_secret_access_key=secret, aws_session_token=token,
            config=botocore.config.Config(retries={'total_max_attempts': 1}))

    def test_ecr_token_is_accepted_and_well_formed(self):
        data = self.client('ecr').get_authorization_token()['authorizationData'][0]
        user, _, password = base64.b64decode(data['authorizationToken']).decode().partition(':')
        self.assertEqual(user, 'AWS')
        self.assertTrue(password)
        self.assertEqual(data['proxyEndpoint'], 'https://123456789012.dkr.ecr.us-west-2.amazonaws.com')

    def test_wrong_secret_is_an_invalid_signature(self):
        with self.assertRaises(ClientError) as ctx:
            self.client('ecr', secret='wrong').get_authorization_token()
        self.assertEqual(ctx.exception.response['Error']['Code'], 'InvalidSignatureException')

    def test_skewed_stand_in_clock_rejects_requests_as_aws_does(self):
        cases = ((1800, 'Signature expired: '), (-1800, 'Signature not yet current: '))
        for offset, message in cases:
            with self.subTest(offset=offset):
                self.post('/admin/config', {'clock_offset_seconds': offset})
                try:
                    with self.assertRaises(ClientError) as ecr:
                        self.client('ecr').get_authorization_token()
                    with self.assertRaises(ClientError) as sts:
                        self.client('sts').assume_role(RoleArn='arn:aws:iam::123456789012:role/demo',
                                                       RoleSessionName='skew')
                finally:
                    self.post('/admin/config', {'clock_offset_seconds': 0})
                self.assertEqual(ecr.exception.response['Error']['Code'], 'InvalidSignatureException')
                self.assertTrue(ecr.exception.response['Error']['Message'].startswith(message))
                self.assertEqual(sts.exception.response['Error']['Code'], 'SignatureDoesNotMatch')
                self.assertEqual(sts.exception.response['ResponseMetadata']['HTTPStatusCode'], 403)
                self.assertTrue(sts.exception.response['Error']['Message'].startswith(message))
                date = ecr.exception.response['ResponseMetadata']['HTTPHeaders']['date']
                served = email.utils.parsedate_to_datetime(date).timestamp()
                self.assertLess(abs(served - (time.time() + offset)), 60)

    def test_unknown_key_is_unrecognized_client(self):
        with self.assertRaises(ClientError) as ctx:
            self.client('ecr', akid='AKIDUNKNOWN').get_authorization_token()
        self.assertEqual(ctx.exception.response['Error']['Code'], 'UnrecognizedClientException')

    def test_assume_role_credentials_work_for_ecr(self):
        creds = self.client('sts').assume_role(RoleArn='arn:aws:iam::123456789012:role/demo',
                                               RoleSessionName='imps-test')['Credentials']
        ecr = self.client('ecr', creds['AccessKeyId'], creds['SecretAccessKey'], creds['SessionToken'])
        self.assertIn('authorizationData', ecr.get_authorization_token())
        with self.assertRaises(ClientError) as ctx:  # the session token is part of the identity
            self.client('ecr', creds['AccessKeyId'], creds['SecretAccessKey'], 'other').get_authorization_token()
        self.assertEqual(ctx.exception.response['Error']['Code'], 'UnrecognizedClientException')

    def test_expired_temporary_credentials_are_expired_token(self):
        creds = self.client('sts').assume_role(RoleArn='arn:aws:iam::123456789012:role/demo',
                                               RoleSessionName='imps-test')['Credentials']
        self.post('/admin/expire', {})
        ecr = self.client('ecr', creds['AccessKeyId'], creds['SecretAccessKey'], creds['SessionToken'])
        with self.assertRaises(ClientError) as ctx:
            ecr.get_authorization_token()
        self.assertEqual(ctx.exception.response['Error']['Code'], 'ExpiredTokenException')

    def test_web_identity_is_unsigned_and_checks_the_token(self):
        self.post('/admin/config', {'web_identity_token': 'eyJ.web.token'})
        sts = botocore.session.get_session().create_client(
            'sts', region_name='us-west-2', endpoint_url=self.url, verify=self.cert,
            config=botocore.config.Config(signature_version=botocore.UNSIGNED))
        creds = sts.assume_role_with_web_identity(RoleArn='arn:aws:iam::123456789012:role/demo',
                                                  RoleSessionName='s1', WebIdentityToken='eyJ.web.token')
        self.assertTrue(creds['Credentials']['AccessKeyId'].startswith('ASIA'))
        with self.assertRaises(ClientError) as ctx:
            sts.assume_role_with_web_identity(RoleArn='arn:aws:iam::123456789012:role/demo',
                                              RoleSessionName='s1', WebIdentityToken='eyJ.bad.token')
        self.assertEqual(ctx.exception.response['Error']['Code'], 'InvalidIdentityToken')

    def test_injected_throttling_then_recovery(self):
        self.post('/admin/fail', {'kind': 'throttle', 'count': 2, 'action': 'GetAuthorizationToken'})
        ecr = self.client('ecr')
        for _ in range(2):
            with self.assertRaises(ClientError) as ctx:
                ecr.get_authorization_token()
            self.assertEqual(ctx.exception.response['Error']['Code'], 'ThrottlingException')
        self.assertIn('authorizationData', ecr.get_authorization_token())

    def test_token_validity_is_configurable(self):
        self.post('/admin/config', {'token_validity_seconds': 5})
        try:
            data = self.client('ecr').get_authorization_token()['authorizationData'][0]
            import datetime
            left = data['expiresAt'] - datetime.datetime.now(datetime.timezone.utc)
            self.assertLess(left.total_seconds(), 6)
        finally:
            self.post('/admin/config', {'token_validity_seconds': 43200})

    def test_regions_are_counted(self):
        before = self.counts().get('regions', {}).get('cn-north-1', 0)
        self.client('ecr', region='cn-north-1').get_authorization_token()
        self.assertEqual(self.counts()['regions']['cn-north-1'], before + 1)


if __name__ == '__main__':
    unittest.main()

# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._engine import AUTH_SPEC, EngineSession, check_auth, engine_url


def test_auth_keys_match_ovirt_ovirt_and_secrets_are_no_log():
    options = AUTH_SPEC['options']
    assert set(options) == set(['url', 'hostname', 'username', 'password', 'token', 'ca_file',
                                'insecure', 'kerberos', 'headers', 'timeout', 'compress'])
    assert options['password']['no_log'] and options['token']['no_log']
    assert options['insecure']['default'] is False  # TLS verified unless asked
    fallbacks = dict((k, v['fallback'][1][0]) for k, v in options.items() if 'fallback' in v)
    assert fallbacks == dict(url='OVIRT_URL', hostname='OVIRT_HOSTNAME', username='OVIRT_USERNAME',
                             password='OVIRT_PASSWORD', token='OVIRT_TOKEN', ca_file='OVIRT_CAFILE')


def test_url_from_hostname():
    assert engine_url(dict(hostname='engine.test')) == 'https://engine.test/ovirt-engine/api'
    assert engine_url(dict(url='https://x/ovirt-engine/api', hostname='y')) == 'https://x/ovirt-engine/api'


def test_check_auth_names_what_is_missing():
    assert check_auth(dict(url='https://x/api', username='u', password='p')) == []
    assert check_auth(dict(url='https://x/api', token='t')) == []
    problems = check_auth(dict(username='u'))
    assert len(problems) == 2
    assert 'url or hostname' in problems[0] and 'password' in problems[1]
    assert 'auth.timeout' in check_auth(dict(url='u', token='t', timeout=-1))[0]


AUTH_DEFAULTS = dict(url='https://127.0.0.1:9/ovirt-engine/api', insecure=False, kerberos=False, compress=True)


class FakeModule:
    def __init__(self, auth):
        self.params = dict(auth=auth)

    def fail_json(self, **kwargs):
        raise AssertionError(kwargs)


class RecordingConnection:
    """Stands in for the SDK connection: which token it holds, and how it was closed."""

    def __init__(self, token):
        self.token = token
        self.closed_with = None

    def authenticate(self):
        return self.token

    def close(self, logout=True):
        self.closed_with = logout


def closed_with(auth, token_at_close):
    session = EngineSession(FakeModule(dict(AUTH_DEFAULTS, **auth)))
    session.connection.close(logout=False)  # the real SDK connection made no request
    session.connection = RecordingConnection(token_at_close)
    recorder = session.connection
    session.close()
    assert session.connection is None
    return recorder.closed_with


def test_a_session_that_logged_in_logs_out():
    assert closed_with(dict(username='u', password='p'), 'token-it-got') is True


def test_a_token_the_caller_passed_is_never_revoked():
    assert closed_with(dict(token='callers-token'), 'callers-token') is False


def test_a_token_the_sdk_fetched_to_replace_an_expired_one_is_revoked():
    assert closed_with(dict(token='expired', username='u', password='p'), 'fresh-token') is True

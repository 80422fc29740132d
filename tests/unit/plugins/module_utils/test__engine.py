# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

import ovirtsdk4 as sdk
import pytest

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._engine import (
    AUTH_SPEC, BoundedConnection, EngineSession, check_auth, engine_url, secret_values,
)
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._errors import EngineError


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


def closed_with(auth, token_at_close, monkeypatch):
    # The session logs in when it has no token: no engine listens here.
    monkeypatch.setattr(BoundedConnection, 'authenticate', lambda self: 'token-it-got')
    session = EngineSession(FakeModule(dict(AUTH_DEFAULTS, **auth)))
    session.connection.close(logout=False)  # the real SDK connection made no request
    session.connection = RecordingConnection(token_at_close)
    recorder = session.connection
    session.close()
    assert session.connection is None
    return recorder.closed_with


def test_a_session_that_logged_in_logs_out(monkeypatch):
    assert closed_with(dict(username='u', password='p'), 'token-it-got', monkeypatch) is True


def test_a_token_the_caller_passed_is_never_revoked(monkeypatch):
    assert closed_with(dict(token='callers-token'), 'callers-token', monkeypatch) is False


def test_a_token_the_sdk_fetched_to_replace_an_expired_one_is_revoked(monkeypatch):
    assert closed_with(dict(token='expired', username='u', password='p'), 'fresh-token', monkeypatch) is True


def test_secrets_in_free_form_options_are_found_at_any_depth():
    storage_connections = [dict(address='198.18.1.1', target='iqn.x', password='chap-secret'), 'an-id',
                           dict(address='a', target='t', chap=dict(mutual_secret=['deep-secret']))]
    assert secret_values(storage_connections) == set(['chap-secret', 'deep-secret'])
    auth = dict(url='https://e/api', username='admin@internal', password='pw', insecure=False,
                headers={'Authorization': 'Bearer tok', 'Correlation-Id': 'run-1'})
    assert secret_values(auth) == set(['pw', 'Bearer tok'])
    assert secret_values('a plain option') == set() and secret_values([dict(name='b', networks=['n'])]) == set()


def test_the_sso_exchange_is_bounded_by_the_timeout(monkeypatch):
    monkeypatch.setattr(sdk.Connection, '_get_sso_response', lambda self, url, params='': time.sleep(3))
    connection = BoundedConnection(sso_timeout=1, url='https://127.0.0.1:9/ovirt-engine/api', username='u', password='p')
    start = time.monotonic()
    with pytest.raises(sdk.TimeoutError):
        connection.authenticate()
    assert time.monotonic() - start < 2


def test_a_404_on_a_collection_says_the_api_is_not_at_the_url(monkeypatch):
    monkeypatch.setattr(BoundedConnection, 'authenticate', lambda self: 'token')
    session = EngineSession(FakeModule(dict(AUTH_DEFAULTS, username='u', password='p')))
    session.connection.close(logout=False)
    explained = session.explain(EngineError('search data center dc1', code=404, api_missing=True))
    assert 'the engine API was not found at https://127.0.0.1:9/ovirt-engine/api' in explained.msg
    plain = EngineError('read data center x', code=404)
    assert session.explain(plain) is plain

# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._engine import AUTH_SPEC, check_auth, engine_url


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

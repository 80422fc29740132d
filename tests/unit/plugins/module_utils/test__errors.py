# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ovirtsdk4 as sdk
from ovirtsdk4 import types
import pytest

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._errors import (
    EngineError, ValidationError, describe_sdk_error, engine_call,
)


def sdk_error(cls, message, code=None, fault=None):
    error = cls(message)
    error.code = code
    error.fault = fault
    return error


def test_fault_reason_and_detail_are_kept():
    fault = types.Fault(reason='Operation Failed',
                        detail='[Cannot add iSCSI Bond. iSCSI bond with the same name already exists in the Data Center.]')
    with pytest.raises(EngineError) as caught:
        with engine_call('add iSCSI bond b1 to data center dc1'):
            raise sdk_error(sdk.Error, 'Fault reason is "Operation Failed".', 409, fault)
    error = caught.value
    assert (error.code, error.reason) == (409, 'Operation Failed')
    assert 'same name already exists' in error.detail
    assert error.msg.startswith('Engine request failed while trying to add iSCSI bond b1 to data center dc1 (HTTP 409): Operation Failed: [Cannot')
    assert error.result()['engine_error']['code'] == 409


def test_403_without_body_still_says_why():
    error = sdk_error(sdk.AuthError, 'HTTP response code is 403.', 403)
    code, reason, detail, _text = describe_sdk_error(error)
    assert (code, reason) == (403, 'Not authorized')
    assert 'permission' in detail


def test_empty_404_is_named():
    code, reason, _detail, _text = describe_sdk_error(sdk_error(sdk.NotFoundError, 'HTTP response code is 404.', 404))
    assert (code, reason) == (404, 'Not found')


@pytest.mark.parametrize('cls, message, expected', [
    # str() of the errors the SDK 4.6.3 raised against the simulator: a closed port,
    # no ca_file, and a request hung beyond the connection's timeout.
    (sdk.ConnectionError,
     "Error while sending HTTP request: (7, 'Failed to connect to 127.0.0.1:38783 after 0 ms: Could not connect to server')",
     'the engine is not reachable (connection refused or down) (Failed to connect to 127.0.0.1:38783'),
    (sdk.Error,
     "Error while sending HTTP request: (60, 'SSL certificate OpenSSL verify result: unable to get local issuer certificate (20)')",
     "the engine's TLS certificate is not trusted (set auth.ca_file) (SSL certificate OpenSSL verify result"),
    (sdk.Error,
     "Failed to read response: [(<pycurl.Curl object at 0x55608641f360>, 28, 'Operation timed out after 1083 milliseconds with 0 bytes received')]",
     'the engine did not answer within auth.timeout (Operation timed out after 1083 milliseconds'),
    (sdk.Error,
     'Error while sending HTTP request: (7, "Failed to connect to 127.0.0.1 port 9 after 0 ms: Couldn\'t connect to server")',
     'not reachable'),
])
def test_transport_errors_are_explained(cls, message, expected):
    with pytest.raises(EngineError) as caught:
        with engine_call('search data center dc1'):
            raise sdk_error(cls, message)
    assert expected in caught.value.msg
    assert caught.value.code is None


def test_non_sdk_errors_pass_through():
    with pytest.raises(KeyError):
        with engine_call('anything'):
            raise KeyError('not ours')


def test_validation_error_joins_problems():
    error = ValidationError(['network \'x\' does not exist', 'bad port'])
    assert error.msg == "network 'x' does not exist; bad port"
    assert error.result()['problems'] == ["network 'x' does not exist", 'bad port']


def test_a_failed_connection_names_connecting_as_the_step():
    with pytest.raises(EngineError) as caught:
        with engine_call('search data center dc1'):
            raise sdk_error(sdk.Error, "Error while sending HTTP request: (60, 'SSL certificate problem')")
    assert caught.value.msg.startswith('Engine request failed while trying to connect to the engine (to search data center dc1): ')
    with pytest.raises(EngineError) as caught:
        with engine_call('log in to https://e/ovirt-engine/api as admin@internal'):
            raise sdk_error(sdk.AuthError, 'Error during SSO authentication access_denied : Cannot authenticate user')
    assert 'while trying to log in to https://e/ovirt-engine/api as admin@internal: Error during SSO' in caught.value.msg


def test_a_404_on_a_collection_means_the_url_is_not_the_api():
    for collection, expected in ((True, True), (False, False)):
        with pytest.raises(EngineError) as caught:
            with engine_call('search data center dc1', collection=collection):
                raise sdk_error(sdk.NotFoundError, 'HTTP response code is 404.', 404)
        assert caught.value.api_missing is expected

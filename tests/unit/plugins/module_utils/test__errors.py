# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ovirtsdk4 as sdk
import ovirtsdk4.types as types
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


@pytest.mark.parametrize('message, expected', [
    # What the SDK raises from its multi-interface loop (seen against a hung simulator and a closed port).
    ("Failed to read response: [(<pycurl.Curl object at 0x7f>, 28, 'Operation timed out after 2001 milliseconds with 0 bytes received')]",
     'did not answer within auth.timeout'),
    ('Error while sending HTTP request: (7, "Failed to connect to 127.0.0.1 port 9 after 0 ms: Couldn\'t connect to server")',
     'not reachable'),
    ("Failed to read response: [(<pycurl.Curl object at 0x7f>, 60, 'SSL certificate problem: unable to get local issuer certificate')]",
     'not trusted'),
])
def test_transport_errors_are_explained(message, expected):
    with pytest.raises(EngineError) as caught:
        with engine_call('search data center dc1'):
            raise sdk_error(sdk.Error, message)
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

# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection's error types, and the one place where SDK errors are caught.

Every engine call goes through ``engine_call``; it turns any ``ovirtsdk4``
error into one ``EngineError`` carrying the HTTP code and the engine's fault
reason and detail, so that a module's ``main()`` has a single ``except``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import re

try:
    import ovirtsdk4 as sdk
    HAS_SDK = True
except ImportError:
    sdk = None
    HAS_SDK = False

try:
    import pycurl
    # The SDK lets libcurl's own error through from its SSO requests (log in, log out):
    # an engine that stopped meanwhile must not surface as a bare "(7, 'Failed to connect ...')".
    _TRANSPORT_ERRORS = (sdk.Error, pycurl.error) if HAS_SDK else ()
except ImportError:
    _TRANSPORT_ERRORS = (sdk.Error,) if HAS_SDK else ()

# libcurl error numbers the SDK leaves inside its message text when it reads
# responses through the multi interface (it raises a bare Error there).
_CURL_CODE = re.compile(r"""\((?:<pycurl\.Curl[^,]*,\s*)?(\d+),\s*(['"])(.*?)\2\)""")
_CURL_EXPLANATIONS = {
    6: 'the engine host name cannot be resolved',
    7: 'the engine is not reachable (connection refused or down)',
    28: 'the engine did not answer within auth.timeout',
    35: 'the TLS handshake with the engine failed',
    51: "the engine's TLS certificate does not match its host name",
    60: "the engine's TLS certificate is not trusted (set auth.ca_file)",
    77: 'auth.ca_file cannot be read',
}
# Of those, the ones that mean no connection was made: the step that failed
# is connecting, whatever request was about to be sent.
_CONNECT_CODES = (6, 7, 35, 51, 60, 77)


class ModuleError(Exception):
    """Base of the collection's errors: a message meant for the user."""

    def __init__(self, msg, **details):
        super(ModuleError, self).__init__(msg)
        self.msg = msg
        self.details = details

    def result(self):
        """Keyword arguments for ``module.fail_json``."""
        result = dict(self.details)
        result['msg'] = self.msg
        return result


class ValidationError(ModuleError):
    """Bad input, found before anything was written."""

    def __init__(self, problems):
        problems = list(problems)
        super(ValidationError, self).__init__('; '.join(problems), problems=problems)
        self.problems = problems


class EngineError(ModuleError):
    """A failed engine request: HTTP code (None when no answer) and the fault."""

    def __init__(self, action, code=None, reason=None, detail=None, text=None, api_missing=False):
        self.action = action
        self.text = text
        self.code = code
        self.reason = reason
        self.detail = detail
        # A 404 on a collection every engine has: the URL is not the API's.
        self.api_missing = api_missing
        msg = 'Engine request failed while trying to %s' % action
        if code is not None:
            msg += ' (HTTP %s)' % code
        if reason or detail:
            msg += ': %s' % ': '.join(part for part in (reason, detail) if part)
        elif text:
            msg += ': %s' % text
        super(EngineError, self).__init__(msg, engine_error=dict(action=action, code=code, reason=reason, detail=detail))

    @property
    def not_found(self):
        """The engine answered 404: the entity asked for does not exist."""
        return self.code == 404

    @property
    def conflict(self):
        """The engine answered 409: the request conflicts with what it holds (a name taken
        in the data center, a member it cannot take); the fault detail says which."""
        return self.code == 409


def is_connect_failure(error):
    """True when ``error`` (an ``ovirtsdk4.Error``) says no connection to the engine was made."""
    match = _CURL_CODE.search(str(error))
    if match:
        return int(match.group(1)) in _CONNECT_CODES
    return sdk is not None and isinstance(error, sdk.ConnectionError)


def describe_sdk_error(error):
    """(code, reason, detail, text) of an ``ovirtsdk4.Error``; pure, for tests too."""
    code = getattr(error, 'code', None)
    fault = getattr(error, 'fault', None)
    reason = getattr(fault, 'reason', None)
    detail = getattr(fault, 'detail', None)
    text = str(error)
    match = _CURL_CODE.search(text)
    if match:
        curl_code, curl_text = int(match.group(1)), match.group(3)
        text = '%s (%s)' % (_CURL_EXPLANATIONS.get(curl_code, 'transport error'), curl_text)
    elif sdk is not None and isinstance(error, sdk.TimeoutError):
        text = '%s (%s)' % (_CURL_EXPLANATIONS[28], text)
    elif sdk is not None and isinstance(error, sdk.ConnectionError):
        text = '%s (%s)' % (_CURL_EXPLANATIONS[7], text)
    if code in (401, 403) and not (reason or detail):
        reason = 'Not authorized'
        detail = ('the engine refused the credentials or the token'
                  if code == 401 else 'the user lacks the permission for this action')
    if code == 404 and not (reason or detail):
        reason = 'Not found'
        detail = 'the engine has no such entity (it may have been removed meanwhile)'
    return code, reason, detail, text


@contextlib.contextmanager
def engine_call(action, collection=False):
    """Run engine requests; any SDK error becomes ``EngineError(action, ...)``.

    ``action`` reads as the end of "while trying to ...", e.g. "add network
    storage1 to iSCSI bond b1". When no connection could be made, the step
    that failed is connecting, and the action says so. ``collection`` marks
    a request on a collection every engine has (data centers, hosts...): a
    404 there means the URL does not lead to the API.
    """
    try:
        yield
    except _TRANSPORT_ERRORS as error:
        code, reason, detail, text = describe_sdk_error(error)
        if is_connect_failure(error) and not action.startswith('connect'):
            action = 'connect to the engine (to %s)' % action
        raise EngineError(action, code=code, reason=reason, detail=detail, text=text,
                          api_missing=collection and code == 404)

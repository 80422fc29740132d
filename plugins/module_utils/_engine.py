# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Engine connection: the ``auth`` option as ovirt.ovirt takes it, connect and close."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import threading

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._errors import (
    HAS_SDK, EngineError, ModuleError, engine_call, sdk,
)

# Same keys, types, defaults and environment fallbacks as ovirt.ovirt's
# ``auth`` so that playbooks (and module_defaults) move over unchanged.
AUTH_SPEC = dict(
    type='dict',
    apply_defaults=True,
    options=dict(
        url=dict(type='str', fallback=(env_fallback, ['OVIRT_URL'])),
        hostname=dict(type='str', fallback=(env_fallback, ['OVIRT_HOSTNAME'])),
        username=dict(type='str', fallback=(env_fallback, ['OVIRT_USERNAME'])),
        password=dict(type='str', no_log=True, fallback=(env_fallback, ['OVIRT_PASSWORD'])),
        token=dict(type='str', no_log=True, fallback=(env_fallback, ['OVIRT_TOKEN'])),
        ca_file=dict(type='path', fallback=(env_fallback, ['OVIRT_CAFILE'])),
        insecure=dict(type='bool', default=False),
        kerberos=dict(type='bool', default=False),
        headers=dict(type='dict'),
        timeout=dict(type='int'),
        compress=dict(type='bool', default=True),
    ),
)


# Keys of free-form dicts (a storage_connections entry, auth.headers...) whose
# values are secrets: Ansible masks only options declared no_log.
_SECRET_KEY = re.compile(r'pass|pwd|secret|token|auth|cookie|credential|private|key', re.I)


def _leaves(value):
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple)):
        for item in value:
            yield from _leaves(item)
    elif value is not None and not isinstance(value, bool) and str(value):
        yield str(value)


def secret_values(value):
    """Every value under a secret-looking key of any dict inside an option's ``value``."""
    found = set()
    if isinstance(value, dict):
        for key, item in value.items():
            if _SECRET_KEY.search(str(key)):
                found.update(_leaves(item))
            else:
                found.update(secret_values(item))
    elif isinstance(value, (list, tuple)):
        for item in value:
            found.update(secret_values(item))
    return found


class EngineModule(AnsibleModule):
    """AnsibleModule that never logs a secret typed into a free-form option.

    Ansible logs every option at start (syslog or journal) and returns them as
    ``invocation``, masking only the values of no_log options. A user may put a
    CHAP password in a ``storage_connections`` entry (refused, but read first)
    or a token in ``auth.headers``: those values join the no_log values as soon
    as the parameters are read, before the first log or failure.
    """

    def _load_params(self):
        super(EngineModule, self)._load_params()
        # Option names themselves are not looked at: ``auth`` is an option, not a secret.
        for value in self.params.values():
            self.no_log_values.update(secret_values(value))


def engine_argument_spec(**module_options):
    """The module's argument spec: ``auth`` plus its own options."""
    spec = dict(auth=AUTH_SPEC)
    spec.update(module_options)
    return spec


def engine_url(auth):
    """The API URL from ``url`` or ``hostname`` (as ovirt.ovirt builds it)."""
    if auth.get('url'):
        return auth['url']
    if auth.get('hostname'):
        return 'https://%s/ovirt-engine/api' % auth['hostname']
    return None


def check_auth(auth):
    """Problems with ``auth`` that make a connection pointless (list of strings)."""
    problems = []
    if not engine_url(auth):
        problems.append('auth: url or hostname is required (or OVIRT_URL / OVIRT_HOSTNAME)')
    if not (auth.get('token') or auth.get('kerberos') or (auth.get('username') and auth.get('password'))):
        problems.append('auth: token, kerberos, or username and password are required '
                        '(or OVIRT_TOKEN / OVIRT_USERNAME and OVIRT_PASSWORD)')
    if auth.get('timeout') is not None and auth['timeout'] < 0:
        problems.append('auth.timeout must be 0 (no limit) or a positive number of seconds, got %s' % auth['timeout'])
    return problems


def _bounded(seconds, call, *args):
    """``call(*args)``, abandoned after ``seconds`` (its thread is left to finish)."""
    outcome = {}

    def target():
        try:
            outcome['value'] = call(*args)
        except Exception as error:  # pylint: disable=broad-except; re-raised in the caller's thread
            outcome['error'] = error

    worker = threading.Thread(target=target, name='engine-sso')
    worker.daemon = True
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise sdk.TimeoutError('no answer to the SSO request within %s s' % seconds)
    if 'error' in outcome:
        raise outcome['error']
    return outcome['value']


if HAS_SDK:
    class BoundedConnection(sdk.Connection):
        """The SDK's connection with its SSO requests (token, logout) bounded too.

        The SDK passes ``timeout`` to its API requests only; its SSO requests have
        no limit, so a hung SSO service would hang the task past auth.timeout.
        """

        def __init__(self, sso_timeout=0, **kwargs):
            super(BoundedConnection, self).__init__(**kwargs)
            self._sso_timeout = sso_timeout

        def _get_sso_response(self, url, params=''):
            parent = super(BoundedConnection, self)._get_sso_response
            if not self._sso_timeout:
                return parent(url, params)
            return _bounded(self._sso_timeout, parent, url, params)


class EngineSession:
    """An SDK connection that knows whether it created its own token.

    Use as a context manager: the session is closed on the way out, and its
    token is revoked only if this session obtained it (a token the caller
    passed in belongs to the caller).
    """

    def __init__(self, module):
        if not HAS_SDK:
            module.fail_json(msg=missing_required_lib('ovirt-engine-sdk-python'))
        auth = module.params['auth'] or {}
        problems = check_auth(auth)
        if problems:
            module.fail_json(msg='; '.join(problems))
        self._passed_token = auth.get('token')
        self._can_log_in = bool(auth.get('kerberos') or (auth.get('username') and auth.get('password')))
        self.url = engine_url(auth)
        self.connection = None
        with engine_call('open a connection to the engine'):
            self.connection = BoundedConnection(
                sso_timeout=auth.get('timeout') or 0,
                url=self.url,
                username=auth.get('username'),
                password=auth.get('password'),
                token=auth.get('token'),
                ca_file=auth.get('ca_file'),
                insecure=auth.get('insecure'),
                kerberos=auth.get('kerberos'),
                headers=auth.get('headers'),
                timeout=auth.get('timeout') or 0,
                compress=auth.get('compress'),
            )
        if not self._passed_token:
            # Its own step, so that a refused password or an unreachable
            # engine is not reported as a failure of the first request.
            who = 'with Kerberos' if auth.get('kerberos') else 'as %s' % auth.get('username')
            with engine_call('log in to %s %s' % (self.url, who)):
                self.connection.authenticate()

    @property
    def system(self):
        return self.connection.system_service()

    def close(self):
        """Close; revoke the token only when this session created it.

        A failure to log out must not hide the module's result, so it is
        reported as a ModuleError the caller may turn into a warning.
        """
        if self.connection is None:
            return
        connection, self.connection = self.connection, None
        with engine_call('log out from the engine'):
            if self._passed_token is None:
                logout = True
            else:
                # The SDK replaces an expired token using username/password when
                # given: that new token is ours to revoke, the caller's is not.
                logout = connection.authenticate() != self._passed_token
            connection.close(logout=logout)

    def __enter__(self):
        return self

    def explain(self, error):
        """A clearer error when the URL does not lead to the API, or when a lone
        token was refused (the SDK then tries to log in as user 'None'); other
        errors are returned unchanged."""
        if isinstance(error, EngineError) and error.api_missing:
            return EngineError(error.action, code=error.code, reason='Not found',
                               detail='the engine API was not found at %s (auth.url should be '
                                      'https://ENGINE/ovirt-engine/api)' % self.url)
        if (isinstance(error, EngineError) and self._passed_token and not self._can_log_in
                and 'SSO authentication' in (error.text or '')):
            return EngineError(error.action, code=error.code, reason='Not authorized',
                               detail='the engine refused auth.token (expired or revoked) and auth has no '
                                      'username and password to log in again')
        return error

    def _name_engine(self, error):
        """No answer at all (the engine stopped, or the network to it went): say which engine."""
        if isinstance(error, EngineError) and error.code is None and self.url and self.url not in error.msg:
            error.msg += '; no answer from the engine at %s' % self.url

    def __exit__(self, exc_type, exc, traceback):
        try:
            self.close()
        except ModuleError as error:
            if exc_type is None:
                self._name_engine(error)
                raise
        self._name_engine(exc)
        if exc is not None and self.explain(exc) is not exc:
            raise self.explain(exc) from None
        return False


def run_engine_module(module, run):
    """``run(module, session)`` in an engine session; ends the module once.

    A failure after the work was done (the logout) keeps the result, so the
    task still says what it changed; a failed write carries its own
    ``changed`` and ``diff`` (see _bond_writer).
    """
    result = None
    try:
        with EngineSession(module) as session:
            result = run(module, session)
    except ModuleError as error:
        failure = dict(result or {}, **error.result())
        if not module._diff:
            failure.pop('diff', None)
        module.fail_json(**failure)
    module.exit_json(**result)

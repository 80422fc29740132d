# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Faults on the SSO endpoints: a hung token request or logout, as the modules' auth.timeout must survive."""

import json
import ssl
import time
import urllib.parse
import urllib.request

import pytest

from simhelp import connect


def _sso(sim, path, form, timeout):
    request = urllib.request.Request(sim.base + path, data=urllib.parse.urlencode(form).encode(), method='POST',
                                     headers={'Accept': 'application/json'})
    context = ssl.create_default_context(cafile=sim.ca_file)
    with urllib.request.urlopen(request, context=context, timeout=timeout) as answer:
        return answer.status, json.loads(answer.read())


def test_a_hang_on_the_token_request_delays_the_token_then_it_is_issued(sim):
    form = {'grant_type': 'password', 'scope': 'ovirt-app-api', 'username': 'admin@internal',
            'password': sim.password('admin@internal')}
    sim.add_fault(method='POST', path='/sso/oauth/token$', hang=2)
    started = time.monotonic()
    status, document = _sso(sim, '/ovirt-engine/sso/oauth/token', form, timeout=10)
    assert time.monotonic() - started >= 2
    assert status == 200 and document['token_type'] == 'bearer'
    # One request only: the next token comes at once.
    started = time.monotonic()
    assert _sso(sim, '/ovirt-engine/sso/oauth/token', form, timeout=10)[0] == 200
    assert time.monotonic() - started < 2


def test_a_hung_logout_outlasts_a_client_that_gives_up(sim):
    connection = connect(sim)
    token = connection.authenticate()
    sim.add_fault(method='POST', path='/sso-logout$', hang=5)
    with pytest.raises(OSError):  # socket.timeout / TimeoutError: the logout had no answer within 1 s
        _sso(sim, '/ovirt-engine/services/sso-logout', {'scope': 'ovirt-app-api', 'token': token}, timeout=1)
    connection.close(logout=False)
    assert sim.clear_faults() == {'removed': 0}

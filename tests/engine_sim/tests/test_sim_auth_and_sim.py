# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""SSO, tokens, versions, and the /__sim__/ endpoints (stats, state, faults, token expiry), start and stop."""

import json
import os
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

import ovirtsdk4 as sdk
from ovirtsdk4 import types
import pytest

from simhelp import Names, connect


def _raw(sim, path, method='GET', data=None, headers=None):
    """(status, headers, body) of one request, outside the SDK."""
    request = urllib.request.Request(sim.base + path, data=data, method=method, headers=headers or {})
    context = ssl.create_default_context(cafile=sim.ca_file)
    try:
        with urllib.request.urlopen(request, context=context, timeout=10) as answer:
            return answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def _token(sim, user='admin@internal', password=None):
    form = urllib.parse.urlencode({'grant_type': 'password', 'scope': 'ovirt-app-api', 'username': user,
                                   'password': password or sim.password(user)}).encode()
    return _raw(sim, '/ovirt-engine/sso/oauth/token', 'POST', form, {'Accept': 'application/json'})


def test_token_endpoint_answers_like_the_engine(sim):
    status, headers, body = _token(sim)
    document = json.loads(body)
    assert status == 200 and headers['Content-Type'].startswith('application/json')
    assert sorted(document) == ['access_token', 'exp', 'scope', 'token_type']
    assert document['token_type'] == 'bearer' and document['scope'] == 'ovirt-app-api'
    assert isinstance(document['exp'], str) and int(document['exp']) > time.time() * 1000


def test_bad_credentials_are_400_json_and_an_auth_error(sim):
    status, _headers, body = _token(sim, password='wrong')
    assert status == 400
    assert json.loads(body) == {'error_code': 'access_denied', 'error': "Cannot authenticate user 'admin@internal': "
                                                                        'The username or password is incorrect..'}
    connection = sdk.Connection(url=sim.url, username='admin@internal', password='wrong', ca_file=sim.ca_file)
    with pytest.raises(sdk.AuthError) as excinfo:
        connection.system_service().get()
    assert 'The username or password is incorrect' in str(excinfo.value)
    assert 'wrong' not in str(excinfo.value)


def test_api_without_or_with_a_bad_token_is_401_with_www_authenticate(sim):
    for headers in ({}, {'Authorization': 'Bearer nope'}):
        status, answer_headers, body = _raw(sim, '/ovirt-engine/api/datacenters', headers=headers)
        assert (status, answer_headers['WWW-Authenticate'], body) == (401, 'Basic realm="RESTAPI"', b'')


def test_logout_revokes_the_token(sim):
    connection = connect(sim)
    token = connection.authenticate()
    assert _raw(sim, '/ovirt-engine/api', headers={'Authorization': 'Bearer ' + token})[0] == 200
    connection.close()
    assert _raw(sim, '/ovirt-engine/api', headers={'Authorization': 'Bearer ' + token})[0] == 401


def test_a_token_the_caller_brings_is_used_as_is(sim):
    token = json.loads(_token(sim)[2])['access_token']
    connection = sdk.Connection(url=sim.url, token=token, ca_file=sim.ca_file)
    assert connection.system_service().get().product_info.name
    connection.close(logout=False)
    assert _raw(sim, '/ovirt-engine/api', headers={'Authorization': 'Bearer ' + token})[0] == 200


def test_expired_token_gets_one_retry_with_a_new_token(sim, admin):
    admin.system_service().get()
    sim.reset_stats()
    assert sim.expire_tokens()['expired'] >= 1
    dcs = admin.system_service().data_centers_service().list()
    assert len(dcs) == 2
    stats = sim.stats()
    # The 401 and the retry are API requests; the token request is not counted.
    assert stats['requests'] == 2
    assert stats['by_path'] == {'GET /ovirt-engine/api/datacenters': 2}


def test_api_root_and_versions(sim, admin):
    api = admin.system_service().get()
    assert api.product_info.version.major == 4 and api.authenticated_user.id
    token = admin.authenticate()
    auth = {'Authorization': 'Bearer ' + token}
    assert _raw(sim, '/ovirt-engine/api/v4/datacenters', headers=auth)[0] == 200
    status, _headers, body = _raw(sim, '/ovirt-engine/api/datacenters', headers=dict(auth, Version='3'))
    assert status == 400 and b'<fault>' in body
    status, _headers, _body = _raw(sim, '/ovirt-engine/api/v3/datacenters', headers=auth)
    assert status == 400
    status, headers, body = _raw(sim, '/ovirt-engine/api/nosuchcollection', headers=auth)
    assert (status, body) == (404, b'')
    status, headers, body = _raw(sim, '/ovirt-engine/api/hosts', method='DELETE', headers=auth)
    assert (status, body) == (405, b'')


def test_request_log_on_stderr_has_no_secrets(tmp_path, engine_sim):
    state_dir = str(tmp_path)
    process = subprocess.Popen([sys.executable, engine_sim.SIM_DIR, '--port', '0', '--state-dir', state_dir],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=dict(os.environ, ENGINE_SIM_LOG='1'))
    try:
        line = process.stdout.readline()
        sim = engine_sim.Simulator()
        sim.base = 'https://127.0.0.1:%s' % line.split('port=')[1].split()[0]
        sim.url = sim.base + '/ovirt-engine/api'
        sim.ca_file = os.path.join(state_dir, 'ca.pem')
        connection = connect(sim)
        token = connection.authenticate()
        connection.system_service().hosts_service().list(search='name=host1')
        connection.close()
    finally:
        process.terminate()
        _out, err = process.communicate(timeout=10)
        sim.stop()
    assert 'GET /ovirt-engine/api/hosts?search=name%3Dhost1 HTTP/1.1" 200' in err
    assert 'POST /ovirt-engine/sso/oauth/token HTTP/1.1" 200' in err
    assert token not in err and 'sim-admin-pass' not in err


def test_stats_count_api_requests_only(sim):
    sim.reset_stats()
    connection = connect(sim)
    connection.system_service().data_centers_service().list()
    connection.system_service().hosts_service().list(search='name=host1')
    connection.close()
    sim.state()
    stats = sim.stats()
    assert stats['requests'] == 2
    assert stats['by_method'] == {'GET': 2}
    assert stats['by_path'] == {'GET /ovirt-engine/api/datacenters': 1, 'GET /ovirt-engine/api/hosts': 1}
    assert stats['log'] == ['GET /ovirt-engine/api/datacenters', 'GET /ovirt-engine/api/hosts?search=name%3Dhost1']
    assert sim.reset_stats() == {'requests': 0} and sim.stats()['requests'] == 0


def test_state_is_a_snapshot_of_every_entity_without_secrets(sim, engine_sim):
    state = sim.state()
    assert set(state) >= {'data_centers', 'clusters', 'networks', 'cluster_networks', 'hosts', 'host_nics',
                          'network_attachments', 'storage_domains', 'storage_connections', 'iscsi_bonds', 'users',
                          'roles', 'permissions'}
    assert len(state['hosts']) == 2 and len(state['users']) == 3
    text = json.dumps(state)
    for user in engine_sim.DEFAULT_PASSWORDS:
        assert sim.password(user) not in text
    assert all(user['password'].startswith('sha256:') for user in state['users'])
    assert state == sim.state()


def test_fault_status_for_the_next_matching_requests(sim, admin):
    names = Names(admin)
    sim.add_fault(path='/iscsibonds$', method='POST', status=500, count=2, detail='[boom]')
    for _attempt in range(2):
        with pytest.raises(sdk.Error) as excinfo:
            names.bonds_service().add(types.IscsiBond(name='faulted'))
        assert excinfo.value.code == 500 and excinfo.value.fault.detail == '[boom]'
    assert not [bond for bond in sim.state()['iscsi_bonds'] if bond['name'] == 'faulted']
    bond = names.bonds_service().add(types.IscsiBond(name='faulted'))
    names.bonds_service().iscsi_bond_service(bond.id).remove()
    sim.add_fault(path='/datacenters', status=503, count=-1)
    for _attempt in range(3):
        with pytest.raises(sdk.Error):
            admin.system_service().data_centers_service().list()
    assert sim.clear_faults() == {'removed': 1}
    assert len(admin.system_service().data_centers_service().list()) == 2


def test_fault_hang_outlasts_the_client_timeout(sim):
    connection = connect(sim, timeout=1)
    try:
        connection.system_service().get()
        # The client (1 s) gives up long before the hang (20 s) ends: a generous bound on order, not on
        # speed (bench/sim_timing.py measures how soon).
        sim.add_fault(path='/datacenters', hang=20)
        started = time.monotonic()
        with pytest.raises(sdk.Error) as excinfo:
            connection.system_service().data_centers_service().list()
        assert time.monotonic() - started < 20
        assert 'timed out' in str(excinfo.value).lower() or 'timeout' in str(excinfo.value).lower()
    finally:
        connection.close()
    assert sim.clear_faults() == {'removed': 0}


def test_bad_fault_specs_are_refused(sim, engine_sim):
    with pytest.raises(engine_sim.SimulatorError) as excinfo:
        sim.add_fault(path='(', status=500)
    assert '400' in str(excinfo.value)
    with pytest.raises(engine_sim.SimulatorError):
        sim.add_fault(path='x')


def test_start_answers_and_sigterm_stops_cleanly(engine_sim):
    # How fast it starts is bench/sim_timing.py's figure, not a test's.
    sim = engine_sim.Simulator().start()
    process = sim.process
    try:
        assert os.path.exists(sim.ca_file)
        assert _raw(sim, '/ovirt-engine/api')[0] in (200, 401)
    finally:
        process.terminate()
        assert process.wait(timeout=5) == 0
        sim.stop()


def test_a_bad_seed_is_refused_with_a_message(engine_sim):
    with tempfile.TemporaryDirectory() as state_dir:
        seed = os.path.join(state_dir, 'seed.json')
        with open(seed, 'w', encoding='utf-8') as handle:
            json.dump({'data_centers': [{'name': 'X', 'clusters': [{'name': 'c', 'networks': ['missing']}]}]}, handle)
        result = subprocess.run([sys.executable, engine_sim.SIM_DIR, '--port', '0', '--seed', seed, '--state-dir',
                                 state_dir], capture_output=True, text=True, timeout=30, check=False)
    assert result.returncode == 2
    assert 'unknown network "missing"' in result.stderr


def test_make_seed_scales_and_loads(engine_sim):
    # How fast it loads is bench/sim_timing.py's figure, not a test's.
    seed = engine_sim.make_seed(hosts=200, networks=3, connections=4, bonds=2)
    with engine_sim.Simulator(seed=seed) as sim:
        connection = connect(sim)
        try:
            sim.reset_stats()
            hosts = connection.system_service().hosts_service().list(search='datacenter=Default',
                                                                     follow='nics,network_attachments')
            assert len(hosts) == 200 and all(len(host.nics) == 4 for host in hosts)
            dc = connection.system_service().data_centers_service().list(
                search='name=Default', follow='iscsibonds,networks,clusters.networks')[0]
            assert len(dc.iscsi_bonds) == 2 and all(len(b.storage_connections) == 4 for b in dc.iscsi_bonds)
            assert sim.stats()['requests'] == 2
        finally:
            connection.close()


def test_a_busy_port_is_refused_with_a_message(tmp_path, engine_sim):
    with socket.socket() as busy:
        busy.bind(('127.0.0.1', 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run([sys.executable, engine_sim.SIM_DIR, '--port', str(port), '--state-dir', str(tmp_path)],
                                capture_output=True, text=True, timeout=30, check=False)
    assert result.returncode == 2
    assert 'cannot listen on 127.0.0.1:%d' % port in result.stderr

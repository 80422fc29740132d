# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""datacenter_paths follows the engine's host status (issue 18, item 1), run with ansible-playbook
against the simulator, the host play included. The inventory's hosts are matched by name and
point at a closed port of this machine: a host the play tries is UNREACHABLE at once, and one it
leaves alone shows no attempt at all. Nothing reaches a real host (the lab's addresses are never
dialled)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re
import time

import ovirtsdk4 as sdk
import pytest

from lablib import engine_seed

from ansible_collections.ovirt_iscsi.multipath.tests.unit.playbooks.test_playbooks_engine import DESC, run_playbook

# A closed port on this machine: any connection is refused at once.
NOWHERE = {'ansible_host': '127.0.0.1', 'ansible_port': 9, 'ansible_user': 'nobody',
           'ansible_ssh_common_args': '-o ConnectTimeout=3 -o BatchMode=yes -o StrictHostKeyChecking=no'}
BY_NAME = {'datacenter_paths_match': 'name'}


@pytest.fixture(name='sim')
def fixture_sim(engine_sim):
    seed = engine_seed.build(DESC, 3)
    seed['data_centers'][0]['clusters'][0]['hosts'][2]['status'] = 'non_responsive'
    with engine_sim.Simulator(seed=seed, host_transition=0.2) as running:
        yield running


@pytest.fixture(name='hosts_service')
def fixture_hosts_service(sim):
    connection = sdk.Connection(url=sim.url, username='admin@internal', password=sim.password('admin@internal'), ca_file=sim.ca_file)
    yield connection.system_service().hosts_service()
    connection.close()


def move(hosts_service, name, action, status):
    """Deactivate or activate the engine's host NAME through the SDK and wait for STATUS."""
    host = hosts_service.list(search='name=%s' % name)[0]
    service = hosts_service.host_service(host.id)
    getattr(service, action)()
    deadline = time.monotonic() + 15
    while service.get().status.value != status:
        assert time.monotonic() < deadline, '%s did not become %s' % (name, status)
        time.sleep(0.1)


def recap(out):
    """{host: (ok, unreachable, failed)} of the play recap."""
    return dict((m.group(1), (int(m.group(2)), int(m.group(3)), int(m.group(4)))) for m in re.finditer(
        r'^(\S+)\s*:\s*ok=(\d+)\s+changed=\d+\s+unreachable=(\d+)\s+failed=(\d+)', out, re.M))


def test_a_host_in_maintenance_is_not_touched_reported_maintenance_and_fails_nothing(sim, hosts_service, tmp_path):
    move(hosts_service, 'host2', 'deactivate', 'maintenance')
    hosts = {'host2': NOWHERE, 'host3': NOWHERE}
    returncode, out = run_playbook(sim, tmp_path, 'datacenter_paths', extra=BY_NAME, hosts=hosts, host_play=True)
    assert returncode == 0 and 'UNREACHABLE' not in out, out
    # Not a task ran on them (the recap does not even name them): the play ended them before any connection.
    assert 'host2' not in recap(out) and 'host3' not in recap(out) and recap(out)['localhost'][1:] == (0, 0), out
    assert '"host2 (engine status maintenance): left alone"' in out
    assert '"host3 (engine status non_responsive): left alone"' in out
    report = json.loads((tmp_path / 'report.json').read_text())
    assert report['hosts']['host2']['status'] == 'maintenance' and report['hosts']['host2']['engine_status'] == 'maintenance'
    assert report['hosts']['host3']['status'] == 'not connected (engine status non_responsive)'
    assert report['failed'] == [] and report['non_operational'] == []
    assert report['maintenance'] == ['host2'] and report['not_connected'] == ['host2', 'host3']
    assert report['engine_statuses'] == {'maintenance': 1, 'non_responsive': 1}
    assert report['overview']['host2']['networks'] == {}
    page = (tmp_path / 'report.html').read_text()
    assert '<tr data-host="host2" data-state="maintenance" data-engine-status="maintenance">' in page
    assert '<td class="s-maintenance">maintenance</td>' in page and 'class="cell c-none' not in page

    # Activated again, the same host is tried at once, and is unreachable (its connection refused):
    # the status decided. (Its batch had no other host, so ansible-playbook ends there.)
    move(hosts_service, 'host2', 'activate', 'up')
    returncode, out = run_playbook(sim, tmp_path, 'datacenter_paths', extra=BY_NAME, hosts=hosts, host_play=True)
    assert returncode != 0 and recap(out)['host2'][1] == 1 and 'host3' not in recap(out), out
    assert '"host2 through: default route"' in out


def test_asked_to_the_play_goes_to_a_host_in_maintenance_to_disconnect_it(sim, hosts_service, tmp_path):
    move(hosts_service, 'host2', 'deactivate', 'maintenance')
    extra = dict(BY_NAME, datacenter_paths_disconnect_maintenance=True)
    returncode, out = run_playbook(sim, tmp_path, 'datacenter_paths', extra=extra, hosts={'host2': NOWHERE, 'host3': NOWHERE},
                                   host_play=True)
    assert '"host2 (engine status maintenance): disconnect what this collection made"' in out, out
    # The play went to host2 and ran the role there (its connection refused: unreachable, and as
    # the only host of its batch ansible-playbook ends there; a role that refused before
    # connecting would be reported 'disconnect failed'): either way the disconnect did not happen
    # and the run fails, as asked for. host3 stays untouched.
    assert returncode != 0 and 'host2' in recap(out) and 'host3' not in recap(out), out
    if returncode == 2:
        report = json.loads((tmp_path / 'report.json').read_text())
        assert report['hosts']['host2']['status'] in ('disconnect failed', 'not run') and report['failed'] == ['host2'], report

    returncode, out = run_playbook(sim, tmp_path, 'datacenter_paths', extra=dict(BY_NAME, datacenter_paths_disconnect_maintenance='maybe'),
                                   hosts={'host2': NOWHERE}, host_play=True)
    assert returncode == 2 and 'datacenter_paths_disconnect_maintenance is true or false (got maybe)' in out, out

# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The engine stopping in the middle of the engine side's work (issue 20, item 4), run with
ansible-playbook against the simulator over real HTTPS. The simulator's "stop" fault leaves the
matching request unanswered and unapplied and shuts the engine down, saving what it holds
(persist=True), so the engine's state afterwards is what it really wrote, read back through
/__sim__/state once it is started again, not what the module believes."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import re
import subprocess
import sys

import pytest

from lablib import engine_seed

from ansible_collections.ovirt_iscsi.multipath.tests.unit.playbooks.test_playbooks_engine import DESC, run_playbook
from ansible_collections.ovirt_iscsi.multipath.tests.unit.playbooks.test_playbooks_host_status import BY_NAME, NOWHERE, recap

# Two storage networks, two portals of one target (198.19.0.1 and .2), no bond yet.
NETWORKS = ['storage-000', 'storage-001']
PORTALS = ['198.19.0.1:3260', '198.19.0.2:3260']
TARGET = 'iqn.2026-01.test.sim:scale'


@pytest.fixture(name='sim')
def fixture_sim(engine_sim):
    seed = engine_sim.make_seed(hosts=1, networks=2, connections=2, bonds=0)
    with engine_sim.Simulator(seed=seed, persist=True) as running:
        yield running


def ensure_bond(sim, tmp_path, networks, portals):
    """(rc, the task's result as JSON, output) of one iscsi_bond task, run by ansible-playbook."""
    result_file = tmp_path / 'result.json'
    if result_file.exists():
        result_file.unlink()
    playbook = tmp_path / 'bond.yml'
    playbook.write_text(json.dumps([{
        'hosts': 'localhost', 'gather_facts': False,
        'tasks': [
            {'name': 'Ensure the bond', 'ovirt_iscsi.multipath.iscsi_bond': {
                'data_center': 'Default', 'name': 'b1', 'networks': networks,
                'storage_connections': [{'address': p.split(':')[0], 'port': int(p.split(':')[1]), 'target': TARGET}
                                        for p in portals]},
             'register': 'bond', 'ignore_errors': True, 'diff': True},
            {'name': 'Keep the result', 'ansible.builtin.copy': {
                'content': '{{ bond | to_json }}', 'dest': str(result_file)}},
        ]}]))
    env = dict(os.environ, OVIRT_URL=sim.url, OVIRT_USERNAME='admin@internal', OVIRT_PASSWORD=sim.password('admin@internal'),
               OVIRT_CAFILE=sim.ca_file, ANSIBLE_NOCOLOR='1')
    proc = subprocess.run(['ansible-playbook', '-i', 'localhost,', '-c', 'local',
                           '-e', 'ansible_python_interpreter=%s' % sys.executable, str(playbook)],
                          env=env, capture_output=True, text=True, check=False, timeout=180)
    out = proc.stdout + proc.stderr
    assert result_file.exists(), 'the playbook did not get to keep the result\n%s' % out
    return proc.returncode, json.loads(result_file.read_text()), out


def engine_bond(sim):
    """Bond b1 as the simulator holds it (/__sim__/state): (sorted network names, sorted portals), or None."""
    state = sim.state()
    bonds = [b for b in state['iscsi_bonds'] if b['name'] == 'b1']
    if not bonds:
        return None
    networks = {n['id']: n['name'] for n in state['networks']}
    connections = {c['id']: '%s:%s' % (c['address'], c['port']) for c in state['storage_connections']}
    return (sorted(networks[i] for i in bonds[0]['networks']),
            sorted(connections[i] for i in bonds[0]['connections']))


def test_the_engine_stopping_between_two_writes_fails_naming_it_and_the_next_run_completes(sim, tmp_path):
    # Positive control, the engine up: the bond is made with the first network and portal.
    rc, result, out = ensure_bond(sim, tmp_path, NETWORKS[:1], PORTALS[:1])
    assert rc == 0 and result.get('changed') is True and not result.get('failed'), out
    assert engine_bond(sim) == (NETWORKS[:1], PORTALS[:1])

    # The change adds a network, then a connection (additions in that order, _bond_writer); the
    # engine stops on the connection's request: the network was written, the connection never.
    sim.add_fault(path=r'/iscsibonds/[^/]+/storageserverconnections$', method='POST', stop=True)
    rc, result, out = ensure_bond(sim, tmp_path, NETWORKS, PORTALS)
    sim.halt()
    message = result.get('msg', '')
    assert result.get('failed') is True, 'the task did not fail with the engine gone\n%s' % out
    # Naming the engine, what it was doing, and what was written before it went.
    assert sim.url in message, 'the message does not name the engine (%s): %s' % (sim.url, message)
    assert 'add storage connection 198.19.0.2:3260' in message, message
    assert 'already written before this failure: add network storage-001' in message, message
    # changed (the network is on the engine), and the diff claims exactly that, not the connection.
    assert result.get('changed') is True, result
    after = result['diff']['after']
    assert sorted(after['networks']) == NETWORKS, after
    assert not any('198.19.0.2' in portal for portal in after['storage_connections']), after

    sim.start()
    assert engine_bond(sim) == (NETWORKS, PORTALS[:1]), 'the engine holds something else than the network alone'

    # The engine back: the next run adds the connection alone, the one after changes nothing.
    rc, result, out = ensure_bond(sim, tmp_path, NETWORKS, PORTALS)
    assert rc == 0 and result.get('changed') is True and not result.get('failed'), out
    diff = result['diff']
    assert sorted(diff['before']['networks']) == NETWORKS and len(diff['after']['storage_connections']) == 2, diff
    assert engine_bond(sim) == (NETWORKS, PORTALS)
    rc, result, out = ensure_bond(sim, tmp_path, NETWORKS, PORTALS)
    assert rc == 0 and result.get('changed') is False and not result.get('failed'), out  # changed=0


@pytest.fixture(name='lab_sim')
def fixture_lab_sim(engine_sim):
    with engine_sim.Simulator(seed=engine_seed.build(DESC, 3), persist=True) as running:
        yield running


def test_the_engine_stopping_after_the_plan_fails_datacenter_paths_before_any_host_and_the_next_run_completes(lab_sim, tmp_path):
    """datacenter_paths: the host play and the report make no engine request, so the last moment
    the engine can be missed is the plan's own end (iscsi_bond_info's log out). Stopped there, the
    run fails naming the engine, no host is tried (they point at a closed port: a try shows as
    UNREACHABLE) and no report says anything was done; with the engine back the run completes."""
    report = tmp_path / 'report.json'
    # Positive control, the engine up: the engine side and the report complete.
    returncode, out = run_playbook(lab_sim, tmp_path, 'datacenter_paths', extra=BY_NAME)
    assert returncode == 0 and report.exists(), out
    report.unlink()

    lab_sim.add_fault(path=r'/services/sso-logout$', method='POST', stop=True)
    hosts = {name: NOWHERE for name in ('host1', 'host2', 'host3')}
    returncode, out = run_playbook(lab_sim, tmp_path, 'datacenter_paths', extra=BY_NAME, hosts=hosts, host_play=True)
    lab_sim.halt()
    fatal = re.findall(r'^fatal: \[(\S+)\].*$', out, re.M)
    assert returncode != 0 and fatal and all(host == 'localhost' for host in fatal), out
    assert 'Read every bond of the data center' in out and lab_sim.url in out and 'log out from the engine' in out, out
    assert 'UNREACHABLE' not in out and not set(recap(out)) - {'localhost'}, 'a host was tried\n%s' % out
    assert not report.exists(), 'a report was written for a run that did nothing'

    lab_sim.start()
    returncode, out = run_playbook(lab_sim, tmp_path, 'datacenter_paths', extra=BY_NAME)
    assert returncode == 0 and report.exists(), out
    assert json.loads(report.read_text())['failed'] == [], out

# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The playbooks' engine side, run with ansible-playbook against the simulator (lab seed) over
real HTTPS; the host play is skipped by its tag (tests/e2e/run drives it on the lab's guests)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import re
import subprocess
import sys

import ovirtsdk4 as sdk
import pytest

from lablib import config, engine_seed

DESC = config.load(config.default_path())

CHAP_IQN = next(t['iqn'] for t in DESC['target']['targets'] if t.get('chap_user'))
SECRET = 'unit-test-chap-secret-4711'


@pytest.fixture(name='sim')
def fixture_sim(engine_sim):
    with engine_sim.Simulator(seed=engine_seed.build(DESC, 3)) as running:
        yield running


INVENTORY = {'host1': {'ansible_host': '198.18.0.11'}, 'host2': {'ansible_host': '198.18.0.12'},
             'host3': {'ansible_host': '198.18.0.13'}, 'stranger': {'ansible_host': '198.18.0.99'}}


def run_playbook(sim, tmp_path, playbook, *args, extra=None, hosts=None, host_play=False):
    """(rc, output) of ansible-playbook over INVENTORY (or HOSTS); the host play is skipped by its
    tag unless HOST_PLAY."""
    inventory = tmp_path / 'inventory.yml'
    inventory.write_text(json.dumps({'all': {'hosts': INVENTORY if hosts is None else hosts}}))
    variables = dict({'datacenter_paths_data_center': 'Default', 'datacenter_paths_chap_secrets': {CHAP_IQN: SECRET},
                      'datacenter_paths_report_file': str(tmp_path / 'report.json'),
                      'ansible_python_interpreter': sys.executable}, **(extra or {}))
    (tmp_path / 'vars.json').write_text(json.dumps(variables))
    env = dict(os.environ, OVIRT_URL=sim.url, OVIRT_USERNAME='admin@internal', OVIRT_PASSWORD=sim.password('admin@internal'),
               OVIRT_CAFILE=sim.ca_file, ANSIBLE_NOCOLOR='1')
    skip = [] if host_play else ['--skip-tags', 'datacenter_paths_hosts']
    proc = subprocess.run(['ansible-playbook', '-i', str(inventory), '-e', '@%s' % (tmp_path / 'vars.json')] + skip
                          + ['ovirt_iscsi.multipath.%s' % playbook] + list(args),
                          env=env, capture_output=True, text=True, check=False, timeout=300)
    return proc.returncode, proc.stdout + proc.stderr


def play(sim, tmp_path, playbook, *args, extra=None, fails_with=None):
    """ansible-playbook's output; it must succeed, or with FAILS_WITH exit 2 with one failed task
    whose message holds it. The host play is skipped by its tag: its hosts are reported as
    skipped, which fails nothing (the engine side alone is what these tests run)."""
    returncode, out = run_playbook(sim, tmp_path, playbook, *args, extra=extra)
    fatal = re.findall(r'^(?:fatal|failed): .*$', out, re.M)
    if fails_with is None:
        assert returncode == 0 and not fatal, 'ansible-playbook rc %d, failed tasks %s; expected success\n%s' % (
            returncode, fatal, out)
        return out
    assert returncode == 2 and len(fatal) == 1 and fails_with in fatal[0], \
        'ansible-playbook rc %d, failed tasks %s; expected rc 2 and one failure: %s\n%s' % (returncode, fatal, fails_with, out)
    return out


def bond_networks(system):
    dc = system.data_centers_service().list(search='name=Default')[0]
    names = {n.id: n.name for n in system.networks_service().list()}
    bonds = system.data_centers_service().data_center_service(dc.id).iscsi_bonds_service().list()
    return {b.name: sorted(names[n.id] for n in b.networks) for b in bonds}, dc, names


def remove_network(system, dc, names, name):
    network_id = next(i for i, n in names.items() if n == name)
    system.data_centers_service().data_center_service(dc.id).networks_service().network_service(network_id).remove()


def test_check_mode_changes_nothing_and_reports_unmatched_hosts(sim, tmp_path):
    before = sim.state()
    out = play(sim, tmp_path, 'datacenter_paths', '--check', extra={'datacenter_paths_bonds': [
        {'name': 'lab-bond', 'networks': ['iscsi-a', 'iscsi-b'], 'storage_domains': ['lab-iscsi']}]})
    assert 'changed: [localhost] => (item=lab-bond)' in out, out
    # Nothing was written, yet the plan is the one the bond would give.
    assert 'bonds: lab-bond' in out and '"host1 through: iscsi-a, iscsi-b"' in out, out
    assert '"host3 through: default route"' in out
    assert 'inventory hosts the engine does not know: stranger' in out
    assert sim.state() == before
    # The report is an output, not state: written in check mode too, and marked so.
    report = json.loads((tmp_path / 'report.json').read_text())
    assert report['check_mode'] is True and sorted(report['hosts']) == ['host1', 'host2', 'host3'], report
    assert 'bonds: lab-bond (check mode: nothing was changed)' in out, out
    page = (tmp_path / 'report.html').read_text()
    assert '(check mode)</title>' in page and 'data-check-mode="true"' in page and page.count('<tr data-host=') == 3
    assert SECRET not in out and SECRET not in page and SECRET not in (tmp_path / 'report.json').read_text()


def test_retire_network_takes_it_out_of_the_bond_so_the_engine_removes_it(sim, tmp_path):
    out = play(sim, tmp_path, 'datacenter_paths', extra={'datacenter_paths_bonds': [
        {'name': 'lab-bond', 'networks': ['iscsi-a', 'iscsi-b', 'iscsi-c'], 'storage_domains': ['lab-iscsi']}]})
    connection = sdk.Connection(url=sim.url, username='admin@internal', password=sim.password('admin@internal'), ca_file=sim.ca_file)
    system = connection.system_service()
    bonds, dc, names = bond_networks(system)
    assert bonds == {'lab-bond': ['iscsi-a', 'iscsi-b', 'iscsi-c']}, out
    report = json.loads((tmp_path / 'report.json').read_text())
    assert report['bonds'] == ['lab-bond'] and sorted(report['hosts']) == ['host1', 'host2', 'host3']
    assert report['inventory_hosts_not_in_engine'] == ['stranger']
    assert [h['status'] for h in report['hosts'].values()] == ['skipped'] * 3 and report['failed'] == []
    # The page beside the JSON, one row per host.
    assert (tmp_path / 'report.html').read_text().count('<tr data-host=') == 3
    with pytest.raises(sdk.Error, match='could not be removed since several iSCSI bonds'):
        remove_network(system, dc, names, 'iscsi-c')

    before = sim.state()
    out = play(sim, tmp_path, 'retire_network', '--check', extra={'retire_network_name': 'iscsi-c'})
    assert '"host1 through: iscsi-a, iscsi-b"' in out and sim.state() == before, out

    out = play(sim, tmp_path, 'retire_network', extra={'retire_network_name': 'iscsi-c'})
    assert 'Remove the network from each bond that holds it' in out
    assert bond_networks(system)[0] == {'lab-bond': ['iscsi-a', 'iscsi-b']}, out
    remove_network(system, dc, names, 'iscsi-c')
    assert 'iscsi-c' not in [n.name for n in system.networks_service().list()]
    assert SECRET not in out
    connection.close()


def test_retire_network_refuses_to_empty_a_bond_before_any_change(sim, tmp_path):
    play(sim, tmp_path, 'datacenter_paths', extra={'datacenter_paths_bonds': [
        {'name': 'only-a', 'networks': ['iscsi-a'], 'storage_domains': ['lab-iscsi']}]})
    before = sim.state()
    out = play(sim, tmp_path, 'retire_network', extra={'retire_network_name': 'iscsi-a'},
               fails_with='a bond cannot lose its only network')
    assert 'a bond cannot lose its only network' in out and 'only-a' in out, out
    assert sim.state() == before

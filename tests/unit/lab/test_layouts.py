# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lab's layouts (tests/lab/layouts/NAME.yml beside the default lab.yml): loading and checks,
the target's per-segment routing of a shared subnet, the guests' sysctls, the layout recorded in
the run's state, and the engine seed of each layout (the default's byte for byte as before)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import os

import ovirtsdk4 as sdk
import pytest

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._host_plan import plan_hosts
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._snapshot import complete_connections, read_hosts, read_snapshot
from lablib import cli, config, engine_seed, guests, routing, state

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'fixtures')
SHARED = 'shared-subnet'
STORAGE1 = 'iqn.2026-11.test.ovirt-iscsi-lab:storage1'
STORAGE2 = 'iqn.2026-11.test.ovirt-iscsi-lab:storage2'


@pytest.fixture(name='shared')
def fixture_shared():
    return config.load_layout(SHARED)


def test_known_layouts_are_the_default_and_the_files_beside_it():
    assert config.layout_names()[0] == 'default'
    assert SHARED in config.layout_names()
    assert config.layout_path('default') == config.default_path()
    assert config.layout_path(SHARED) == os.path.join(os.path.dirname(config.default_path()), 'layouts', 'shared-subnet.yml')


def test_an_unknown_layout_is_refused_naming_the_known_ones():
    with pytest.raises(config.ConfigError, match=r"unknown layout 'nope' \(known: default, shared-subnet"):
        config.load_layout('nope')


def test_up_with_an_unknown_layout_creates_and_removes_nothing(monkeypatch, capsys):
    """The layout is checked before the lab's lock, teardown or anything that creates."""
    def refuse(*_args, **_kwargs):
        raise AssertionError('nothing may be created or torn down')
    for name in ('up', 'down', 'lock'):
        monkeypatch.setattr(cli.Lab, name, refuse)
    assert cli.main(['up', '--layout', 'nope', '--hosts', '2']) == 1
    assert "unknown layout 'nope' (known: default, shared-subnet)" in capsys.readouterr().err


def test_the_default_layout_is_lab_yml_itself():
    desc = config.load_layout('default')
    plain = config.load(config.default_path())
    assert (desc['layout'], desc['layout_file']) == ('default', config.default_path())
    assert {k: v for k, v in desc.items() if k not in ('layout', 'layout_file')} == plain


def test_a_layout_keeps_lab_yml_namespace_guest_and_targets(shared):
    plain = config.load(config.default_path())
    for key in ('namespace', 'guest', 'target'):
        assert shared[key] == plain[key], key   # one image and one lab instance name for every layout
    assert (shared['layout'], os.path.basename(shared['layout_file'])) == (SHARED, 'shared-subnet.yml')


def test_a_layout_may_not_set_the_namespace_or_the_guest(tmp_path, monkeypatch):
    (tmp_path / 'odd.yml').write_text('namespace: other\nguest: {memory_mb: 1}\n')
    monkeypatch.setattr(config, 'layouts_dir', lambda: str(tmp_path))
    with pytest.raises(config.ConfigError, match='layout odd: guest, namespace cannot be set by a layout'):
        config.load_layout('odd')


def test_shared_subnet_has_two_segments_of_one_subnet_and_strict_guests(shared):
    nets = {n['name']: n for n in shared['networks']}
    assert sorted(nets) == ['iscsi-a', 'iscsi-b', 'ovirtmgmt']
    assert nets['iscsi-a']['subnet'] == nets['iscsi-b']['subnet'] == '198.18.4.0/24'
    assert (nets['iscsi-a']['target_address'], nets['iscsi-b']['target_address']) == ('198.18.4.1', '198.18.4.2')
    assert config.shared_subnet_networks(shared) == {'198.18.4.0/24': ['iscsi-a', 'iscsi-b']}
    assert config.bridge_name(shared, 'iscsi-a') != config.bridge_name(shared, 'iscsi-b')
    host1 = shared['hosts'][0]['nics']
    assert (host1['iscsi-a'], host1['iscsi-b']) == ({'nic': 'ens4', 'address': '198.18.4.11'}, {'nic': 'ens5', 'address': '198.18.4.21'})
    # Strict reverse-path filtering as a RHEL-like host; nothing the role sets itself.
    assert shared['guest_sysctls'] == {'net.ipv4.conf.all.rp_filter': 1, 'net.ipv4.conf.default.rp_filter': 1}


def _network(desc, name):
    return next(n for n in desc['networks'] if n['name'] == name)


@pytest.mark.parametrize('change, message', [
    (lambda d: _network(d, 'iscsi-b').update(subnet='198.18.1.0/24', target_address='198.18.1.2'),
     "network iscsi-a: subnet 198.18.1.0/24 overlaps network iscsi-b's 198.18.1.0/24 .*shares_subnet: true on both"),
    (lambda d: _network(d, 'iscsi-b').update(subnet='198.18.1.0/25', target_address='198.18.1.2'),
     "network iscsi-a: subnet 198.18.1.0/24 overlaps network iscsi-b's 198.18.1.0/25"),
    (lambda d: _network(d, 'iscsi-c').update(target_address='198.18.3.1', shares_subnet=True),
     'network iscsi-c: shares_subnet, but no other network has subnet 198.18.3.0/24'),
    (lambda d: _network(d, 'ovirtmgmt').update(shares_subnet=True), 'only storage networks may share a subnet'),
    (lambda d: d['hosts'][1]['nics']['iscsi-a'].update(address='198.18.1.11'), "198.18.1.11 is already host1 iscsi-a's"),
    (lambda d: d['hosts'][0]['nics']['iscsi-a'].update(address='198.18.1.1'), "198.18.1.1 is already the target on iscsi-a's"),
    (lambda d: d.update(guest_sysctls={'net.ipv4.conf.all.rp_filter': '1 init=/bin/sh'}), 'not a sysctl name and a one-word value'),
    (lambda d: d.update(guest_sysctls={'rp_filter': 1}), 'not a sysctl name'),
    (lambda d: d.update(bonds=[{'name': 'b', 'networks': ['ovirtmgmt']}]), 'bond b: ovirtmgmt is not a storage network'),
    (lambda d: d.update(bonds=[{'name': 'b', 'networks': []}]), 'bond b: no networks'),
])
def test_default_layout_checks_refuse_overlaps_and_duplicates(change, message):
    bad = copy.deepcopy(config.load(config.default_path()))
    change(bad)
    with pytest.raises(config.ConfigError, match=message):
        config.check(bad)


@pytest.mark.parametrize('change, message', [
    (lambda d: _network(d, 'iscsi-b').pop('shares_subnet'), 'network iscsi-a: subnet 198.18.4.0/24 overlaps network iscsi-b'),
    (lambda d: _network(d, 'iscsi-b').update(subnet='198.18.4.0/25'), 'shares with network iscsi-b but is not its subnet'),
    (lambda d: _network(d, 'iscsi-b').update(target_address='198.18.4.1'), "target_address 198.18.4.1 is already network iscsi-a's"),
    (lambda d: d['hosts'][0]['nics']['iscsi-b'].update(address='198.18.4.11'), "198.18.4.11 is already host1 iscsi-a's"),
    (lambda d: d['hosts'][0]['nics']['iscsi-b'].update(address='198.18.5.21'), 'is not in network iscsi-b'),
    (lambda d: d['hosts'][0]['nics']['iscsi-b'].update(nic='ens4'), 'NIC ens4 used twice'),
])
def test_shared_subnet_checks_keep_every_other_rule(shared, change, message):
    bad = copy.deepcopy(shared)
    change(bad)
    with pytest.raises(config.ConfigError, match=message):
        config.check(bad)


def test_the_default_layout_needs_no_segment_routing_nor_guest_sysctls():
    desc = config.load_layout('default')
    assert routing.segment_routes(desc) == []
    hosts = config.plan(desc, 3)
    assert all(h['sysctls'] == {} for h in hosts)
    assert not [w for w in guests._cmdline(hosts[0], 'ssh-ed25519:AAAA').split() if w.startswith('sysctl.')]  # pylint: disable=protected-access


def test_each_shared_portal_answers_through_its_own_bridge(shared):
    a, b = config.bridge_name(shared, 'iscsi-a'), config.bridge_name(shared, 'iscsi-b')
    assert routing.segment_routes(shared) == [
        ['route', 'add', '198.18.4.0/24', 'dev', a, 'src', '198.18.4.1', 'table', '1001'],
        ['rule', 'add', 'from', '198.18.4.1', 'lookup', '1001', 'priority', '1001'],
        ['route', 'add', '198.18.4.0/24', 'dev', b, 'src', '198.18.4.2', 'table', '1002'],
        ['rule', 'add', 'from', '198.18.4.2', 'lookup', '1002', 'priority', '1002'],
    ]


def test_the_guests_boot_with_the_layouts_sysctls_on_their_kernel_command_line(shared):
    words = guests._cmdline(config.plan(shared, 2)[1], 'ssh-ed25519:AAAA').split()  # pylint: disable=protected-access
    assert [w for w in words if w.startswith('sysctl.')] == [
        'sysctl.net.ipv4.conf.all.rp_filter=1', 'sysctl.net.ipv4.conf.default.rp_filter=1']
    assert not [w for w in words if 'arp_' in w]
    assert 'lab.addr=ens3=198.18.0.12/24,ens4=198.18.4.12/24,ens5=198.18.4.22/24' in words


def _state(desc, hosts=2):
    planned = config.plan(desc, hosts)
    facts = {'pid': 1, 'control_port': 1000, 'portals': ['198.18.0.1:3260'], 'targets': []}
    return state.build(desc, 'ns', '/run/ns', '/tmp/data', planned, facts, '/run/ns/ssh_config', '/run/ns/key',
                       {h['name']: 1 for h in planned})


def test_the_run_records_its_layout_and_the_inventory_shows_it(shared):
    current = _state(shared)
    assert (current['layout'], current['description']) == (SHARED, shared['layout_file'])
    assert current['guest_sysctls'] == shared['guest_sysctls']
    assert current['networks']['iscsi-b']['shares_subnet'] and not current['networks']['ovirtmgmt']['shares_subnet']
    assert current['hosts']['host2']['networks']['iscsi-b'] == dict(
        current['hosts']['host2']['networks']['iscsi-b'], nic='ens5', address='198.18.4.22', prefix=24)
    group_vars = state.inventory(current)['all']['vars']
    assert group_vars['lab_layout'] == SHARED
    assert [(b['name'], b['networks'], sorted({c['address'] for c in b['connections']})) for b in group_vars['lab_bonds']] == [
        ('bond-a', ['iscsi-a'], ['198.18.4.1']), ('bond-b', ['iscsi-b'], ['198.18.4.2'])]
    default = _state(config.load_layout('default'))
    assert (default['layout'], default['description'], default['bonds']) == ('default', config.default_path(), [])


def test_commands_on_a_running_lab_follow_its_recorded_layout(shared, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(cli, 'paths', lambda desc: ('ns', str(tmp_path), str(tmp_path / 'data')))
    current = dict(_state(shared), run_dir=str(tmp_path), inventory=str(tmp_path / 'inventory.yml'))
    state.write(str(tmp_path), current)
    assert cli.Lab(config.load(config.default_path())).running_layout() == SHARED
    assert cli.main(['engine-seed', '--hosts', '2']) == 0
    seed = capsys.readouterr().out
    assert seed.startswith('# Generated by tests/lab/lab engine-seed from tests/lab/layouts/shared-subnet.yml')
    assert '198.18.4.2' in seed and '198.18.1.1' not in seed
    assert cli.main(['engine-seed', '--hosts', '2', '--layout', 'default']) == 0   # told otherwise: that one
    assert '198.18.1.1' in capsys.readouterr().out


@pytest.mark.parametrize('hosts', [2, 3])
def test_the_default_layouts_seed_is_byte_for_byte_what_it_was(hosts):
    """Golden files written by the engine-seed of before layouts (commit 05c58b6)."""
    with open(os.path.join(FIXTURES, 'engine-seed-default-hosts%d.yml' % hosts), encoding='utf-8') as handle:
        golden = handle.read()
    desc = config.load_layout('default')
    assert engine_seed.dump(engine_seed.build(desc, hosts), desc) == golden
    assert engine_seed.dump(engine_seed.build(config.load(config.default_path()), hosts)) == golden


def test_the_shared_subnet_seed_has_both_segments_portals_and_the_hosts_addresses(shared):
    [dc] = engine_seed.build(shared, 2)['data_centers']
    assert [n['name'] for n in dc['networks']] == ['ovirtmgmt', 'iscsi-a', 'iscsi-b']
    assert sorted((c['target'], c['address']) for c in dc['storage_domains'][0]['connections']) == [
        (STORAGE1, '198.18.4.1'), (STORAGE1, '198.18.4.2'), (STORAGE2, '198.18.4.1'), (STORAGE2, '198.18.4.2')]
    nics = {h['name']: [(n['name'], n['network'], n['ip']) for n in h['nics']] for h in dc['clusters'][0]['hosts']}
    assert nics['host1'] == [('ens3', 'ovirtmgmt', '198.18.0.11/24'), ('ens4', 'iscsi-a', '198.18.4.11/24'),
                             ('ens5', 'iscsi-b', '198.18.4.21/24')]
    assert nics['host2'][1:] == [('ens4', 'iscsi-a', '198.18.4.12/24'), ('ens5', 'iscsi-b', '198.18.4.22/24')]
    assert 'iscsi_bonds' not in dc
    with pytest.raises(config.ConfigError, match='layout default names no bonds'):
        engine_seed.build(config.load_layout('default'), 2, with_bonds=True)


def test_the_seeded_segment_bonds_pair_each_nic_with_its_own_segments_portal_only(shared, engine_sim):
    """engine-seed --bonds: bond-a (iscsi-a, the .1 connections) and bond-b (iscsi-b, the .2 ones);
    the engine's plan (real SDK, real HTTPS) then never pairs a NIC with the other segment's portal."""
    with engine_sim.Simulator(seed=engine_seed.build(shared, 2, with_bonds=True)) as sim:
        connection = sdk.Connection(url=sim.url, username='admin@internal', password=sim.password('admin@internal'), ca_file=sim.ca_file)
        system = connection.system_service()
        snapshot = read_snapshot(system, 'Default')
        complete_connections(system, snapshot, snapshot.bonds)
        plans = {p['name']: p for p in plan_hosts(snapshot, snapshot.bonds, read_hosts(system, snapshot))}
        connection.close()
    assert sorted(b.name for b in snapshot.bonds) == ['bond-a', 'bond-b']
    for host in ('host1', 'host2'):
        sessions = sorted((s['bond'], s['iface'], s['address'], s['target']) for s in plans[host]['sessions'])
        assert sessions == sorted((bond, nic, address, iqn) for bond, nic, address in (
            ('bond-a', 'ens4', '198.18.4.1'), ('bond-b', 'ens5', '198.18.4.2')) for iqn in (STORAGE1, STORAGE2))
        assert {i['subnet'] for i in plans[host]['ifaces']} == {'198.18.4.0/24'}

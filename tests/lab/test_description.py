# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lab description and the facts derived from it, without booting anything."""

import copy
import os

import pytest

from lablib import config, state, target

FIXTURES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                        'unit', 'plugins', 'module_utils', 'fixtures')


@pytest.fixture(name='desc')
def fixture_desc():
    return config.load(config.default_path())


def test_description_has_the_segments_and_hosts_later_work_needs(desc):
    assert config.network_names(desc) == ['ovirtmgmt', 'iscsi-a', 'iscsi-b', 'iscsi-c']
    assert config.management_network(desc)['name'] == 'ovirtmgmt'
    no_storage = [h['name'] for h in desc['hosts'] if set(h['nics']) == {'ovirtmgmt'}]
    assert no_storage == ['host3']
    assert [t.get('chap_user') for t in desc['target']['targets']] == [None, 'labchap']


@pytest.mark.parametrize('change, message', [
    (lambda d: d['networks'][1].update(subnet='10.0.1.0/24', target_address='10.0.1.1'), 'outside 198.18.0.0/15'),
    (lambda d: d['networks'][1].update(target_address='198.18.9.1'), 'is not in 198.18.1.0/24'),
    (lambda d: d['hosts'][0]['nics'].update({'iscsi-z': {'nic': 'ens9', 'address': '198.18.1.99'}}), 'unknown network iscsi-z'),
    (lambda d: d['hosts'][0]['nics']['iscsi-b'].update(nic='ens4'), 'NIC ens4 used twice'),
    (lambda d: d['hosts'][0]['nics']['iscsi-b'].update(nic='eth1'), 'NIC eth1 must be ens3..ens29'),
    (lambda d: d['hosts'][0]['nics']['iscsi-b'].update(address='198.18.1.50'), 'is not in network iscsi-b'),
    (lambda d: d['hosts'][1].update(name='host1'), 'host host1: listed twice'),
    (lambda d: d['hosts'][2]['nics'].pop('ovirtmgmt'), 'no NIC on the management network'),
])
def test_bad_descriptions_are_refused_naming_the_entry(desc, change, message):
    bad = copy.deepcopy(desc)
    change(bad)
    with pytest.raises(config.ConfigError, match=message):
        config.check(bad)


def test_plan_places_each_nic_in_the_pci_slot_of_its_name(desc):
    hosts = config.plan(desc, 3)
    assert [h['name'] for h in hosts] == ['host1', 'host2', 'host3']
    for host in hosts:
        for nic in host['nics']:
            assert nic['nic'] == 'ens%d' % nic['slot']
            assert len(nic['tap']) <= 15
        assert host['gateway'] == '198.18.0.1'
    taps = [nic['tap'] for h in hosts for nic in h['nics']]
    macs = [nic['mac'] for h in hosts for nic in h['nics']]
    assert len(set(taps)) == len(taps) and len(set(macs)) == len(macs)
    assert [n['network'] for n in hosts[2]['nics']] == ['ovirtmgmt']
    with pytest.raises(config.ConfigError, match='--hosts 4'):
        config.plan(desc, 4)


def test_computed_wwids_are_the_ones_the_guests_reported():
    with open(os.path.join(FIXTURES, 'multipathd', 'show-paths-raw.txt'), encoding='utf-8') as handle:
        seen = {line.split('|')[0] for line in handle if line.strip()}
    assert seen == {target.wwid(1, 1), target.wwid(1, 2), target.wwid(2, 1)}


def test_inventory_groups_and_host_vars(desc):
    hosts = config.plan(desc, 3)
    facts = {'pid': 1, 'control_port': 1000, 'portals': ['198.18.0.1:3260'], 'targets': []}
    current = state.build(desc, 'ns', '/run/ns', '/tmp/data', hosts, facts, '/run/ns/ssh_config', '/run/ns/key',
                          {h['name']: 1 for h in hosts})
    inventory = state.inventory(current)['all']
    assert sorted(inventory['children']['lab_storage_hosts']['hosts']) == ['host1', 'host2']
    assert sorted(inventory['children']['lab_no_storage_hosts']['hosts']) == ['host3']
    host1 = inventory['children']['lab_hosts']['hosts']['host1']
    assert host1['lab_networks']['iscsi-b'] == {'nic': 'ens5', 'address': '198.18.2.11', 'prefix': 24}
    assert inventory['vars']['ansible_ssh_args'] == '-F /run/ns/ssh_config'

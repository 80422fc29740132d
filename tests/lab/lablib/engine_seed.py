# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The engine simulator's data for the lab: one data center that describes the lab's real guests.

Generated from the lab description (tests/lab/lab.yml), so that the engine's hosts, NICs,
networks and storage connections cannot drift from the guests the lab boots:
- networks: the management network (required in the cluster) and every storage network;
- hosts: the first N guests, at their management address, each NIC with its network and address
  (storage NICs unbridged, as the guests have no bridges; the management network bridged, as
  oVirt makes ovirtmgmt);
- one iSCSI storage domain whose connections are every target's portal on every storage network,
  with the CHAP user on the CHAP target's connections (never a secret: the lab makes one per
  run, and the engine never returns connection passwords anyway);
- no iSCSI bond: the playbooks create it through the engine (`engine-seed --bonds` seeds the
  bonds a layout names, see bonds()).
A layout (tests/lab/layouts/NAME.yml) gives its own seed; the default layout's is unchanged.
Users are those of the simulator's default seed that hold a role here (admin@internal, dcadmin@internal).
"""

import ipaddress
import os

import yaml

from lablib import config

DATA_CENTER = 'Default'
CLUSTER = 'Default'
STORAGE_DOMAIN = 'lab-iscsi'
SIM_DEFAULT_SEED = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                                'engine_sim', 'seed', 'default.yml')


def _users():
    """The default seed's users, without permissions on data centers this seed does not have."""
    with open(SIM_DEFAULT_SEED, encoding='utf-8') as handle:
        users = yaml.safe_load(handle)['users']
    for user in users:
        user['permissions'] = [p for p in user.get('permissions') or [] if p.get('data_center') in (None, DATA_CENTER)]
    return [u for u in users if u['permissions']]


def _nic(desc, network, nic):
    net = next(n for n in desc['networks'] if n['name'] == network)
    prefix = ipaddress.ip_network(net['subnet']).prefixlen
    management = net['role'] == 'management'
    entry = {'name': nic['nic'], 'network': network, 'bridged': management,
             'ip': '%s/%d' % (nic['address'], prefix)}
    if management:
        entry['gateway'] = net['target_address']
    return entry


def connections(desc):
    """Every target's portal on every storage network, in description order."""
    port = desc['target']['port']
    out = []
    for tgt in desc['target']['targets']:
        for net in desc['networks']:
            if net['role'] != 'storage':
                continue
            conn = {'address': net['target_address'], 'port': port, 'target': tgt['iqn'], 'portal': '1'}
            if tgt.get('chap_user'):
                conn['username'] = tgt['chap_user']
            out.append(conn)
    return out


def bonds(desc):
    """The bonds the layout names (its `bonds:`), each with its connections: every target's
    portal on the bond's networks. In the shape of both the seed's iscsi_bonds and the
    iscsi_bond module's options (networks; storage_connections as address/port/target)."""
    port = desc['target']['port']
    by_name = {net['name']: net for net in desc['networks']}
    return [{
        'name': bond['name'],
        'networks': list(bond['networks']),
        'connections': [{'address': by_name[name]['target_address'], 'port': port, 'target': tgt['iqn']}
                        for tgt in desc['target']['targets'] for name in bond['networks']],
    } for bond in desc.get('bonds') or []]


def source(desc):
    """The description file of the layout, relative to the repository (tests/lab/lab.yml by default)."""
    layout = desc.get('layout', config.DEFAULT_LAYOUT)
    return 'tests/lab/lab.yml' if layout == config.DEFAULT_LAYOUT else 'tests/lab/layouts/%s.yml' % layout


def build(desc, host_count, with_bonds=False):
    """The seed (a dict in the simulator's seed format) for the first ``host_count`` hosts;
    with_bonds adds the layout's bonds (an error when it names none)."""
    if with_bonds and not desc.get('bonds'):
        raise config.ConfigError('layout %s names no bonds (bonds: in %s)' % (
            desc.get('layout', config.DEFAULT_LAYOUT), source(desc)))
    config.plan(desc, host_count)            # the same bounds check as lab up
    mgmt = config.management_network(desc)
    hosts = []
    for host in desc['hosts'][:host_count]:
        hosts.append({
            'name': host['name'],
            'address': host['nics'][mgmt['name']]['address'],
            'status': 'up',
            'nics': [_nic(desc, network, nic) for network, nic in sorted(host['nics'].items(), key=lambda item: config.pci_slot(item[1]['nic']))],
        })
    storage = [n for n in desc['networks'] if n['role'] == 'storage']
    dc_networks = [{'name': mgmt['name'], 'description': 'Management Network'}]
    dc_networks += [{'name': n['name'], 'description': 'iSCSI storage network %s' % n['subnet']} for n in storage]
    cluster_networks = [{'name': mgmt['name'], 'required': True}] + [{'name': n['name'], 'required': False} for n in storage]
    seed = {
        'data_centers': [{
            'name': DATA_CENTER,
            'description': 'The lab of %s' % source(desc),
            'networks': dc_networks,
            'clusters': [{
                'name': CLUSTER,
                'networks': cluster_networks,
                'hosts': hosts,
            }],
            'storage_domains': [{
                'name': STORAGE_DOMAIN, 'type': 'data', 'storage_type': 'iscsi', 'master': True,
                'connections': connections(desc),
            }],
        }],
        'users': _users(),
    }
    if with_bonds:
        seed['data_centers'][0]['iscsi_bonds'] = bonds(desc)
    return seed


def dump(seed, desc=None):
    """The seed as YAML text."""
    return ('# Generated by tests/lab/lab engine-seed from %s: do not edit.\n' % source(desc or {})
            + yaml.safe_dump(seed, default_flow_style=False, sort_keys=False))

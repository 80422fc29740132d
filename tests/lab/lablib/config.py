# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lab description (tests/lab/lab.yml): loaded, checked, and turned into a per-run plan."""

import ipaddress
import os
import re

import yaml

LAB_NET = ipaddress.ip_network('198.18.0.0/15')
NIC_NAME = re.compile(r'^ens([3-9]|1[0-9]|2[0-9])$')


class ConfigError(Exception):
    """The lab description is not usable."""


def load(path):
    """The checked description as plain dicts; raises ConfigError naming the bad entry."""
    with open(path, encoding='utf-8') as handle:
        desc = yaml.safe_load(handle)
    check(desc)
    return desc


def _require(cond, message):
    if not cond:
        raise ConfigError(message)


def _inside_lab(value, what):
    try:
        addr = ipaddress.ip_interface(value) if '/' in value else ipaddress.ip_address(value)
    except ValueError as exc:
        raise ConfigError('%s: %s is not an IPv4 address' % (what, value)) from exc
    net = addr.network if hasattr(addr, 'network') else ipaddress.ip_network(addr)
    _require(net.subnet_of(LAB_NET), '%s: %s is outside %s' % (what, value, LAB_NET))


def check(desc):
    """Every rule the lab relies on, checked before anything is created."""
    _require(isinstance(desc, dict), 'lab description: not a mapping')
    for key in ('namespace', 'networks', 'hosts', 'target', 'guest'):
        _require(key in desc, 'lab description: no %r' % key)
    networks = {}
    for net in desc['networks']:
        name = net['name']
        _require(name not in networks, 'network %s: listed twice' % name)
        _require(net['role'] in ('management', 'storage'), 'network %s: role must be management or storage' % name)
        _inside_lab(net['subnet'], 'network %s subnet' % name)
        _inside_lab(net['target_address'], 'network %s target_address' % name)
        subnet = ipaddress.ip_network(net['subnet'])
        _require(ipaddress.ip_address(net['target_address']) in subnet,
                 'network %s: target_address %s is not in %s' % (name, net['target_address'], subnet))
        networks[name] = net
    management = [n for n in desc['networks'] if n['role'] == 'management']
    _require(len(management) == 1, 'lab description: exactly one management network is needed')
    seen_hosts = set()
    for host in desc['hosts']:
        name = host['name']
        _require(name not in seen_hosts, 'host %s: listed twice' % name)
        seen_hosts.add(name)
        _require(management[0]['name'] in host['nics'], 'host %s: no NIC on the management network' % name)
        nic_names = set()
        for net_name, nic in host['nics'].items():
            _require(net_name in networks, 'host %s: unknown network %s' % (name, net_name))
            _require(NIC_NAME.match(nic['nic']), 'host %s: NIC %s must be ens3..ens29' % (name, nic['nic']))
            _require(nic['nic'] not in nic_names, 'host %s: NIC %s used twice' % (name, nic['nic']))
            nic_names.add(nic['nic'])
            _require(ipaddress.ip_address(nic['address']) in ipaddress.ip_network(networks[net_name]['subnet']),
                     'host %s: %s is not in network %s' % (name, nic['address'], net_name))
    for tgt in desc['target']['targets']:
        _require(tgt['iqn'].startswith('iqn.'), 'target %s: not an IQN' % tgt['iqn'])
        _require(tgt['luns'], 'target %s: no LUNs' % tgt['iqn'])


def management_network(desc):
    """The one network of role management."""
    return next(n for n in desc['networks'] if n['role'] == 'management')


def pci_slot(nic):
    """A guest NIC ensN is the virtio device the lab places in PCI slot N."""
    return int(NIC_NAME.match(nic).group(1))


def plan(desc, host_count):
    """The hosts of this run with their taps, MACs and kernel command line parts."""
    _require(1 <= host_count <= len(desc['hosts']),
             '--hosts %d: the description has %d hosts' % (host_count, len(desc['hosts'])))
    net_index = {net['name']: i for i, net in enumerate(desc['networks'])}
    mgmt = management_network(desc)
    hosts = []
    for h_index, host in enumerate(desc['hosts'][:host_count], start=1):
        nics = []
        for net_name, nic in host['nics'].items():
            n_index = net_index[net_name]
            prefix = ipaddress.ip_network(desc['networks'][n_index]['subnet']).prefixlen
            nics.append({
                'network': net_name,
                'nic': nic['nic'],
                'address': nic['address'],
                'prefix': prefix,
                'tap': 'lab%dn%d' % (h_index, n_index),
                'mac': '52:54:00:18:%02x:%02x' % (h_index, n_index),
                'slot': pci_slot(nic['nic']),
            })
        nics.sort(key=lambda item: item['slot'])
        hosts.append({
            'name': host['name'],
            'index': h_index,
            'initiator_name': host['initiator_name'],
            'mgmt_address': host['nics'][mgmt['name']]['address'],
            'gateway': mgmt['target_address'],
            'nics': nics,
        })
    return hosts


def bridge_name(desc, network):
    """The namespace bridge of one segment (kept short: interface names have 15 characters)."""
    index = [n['name'] for n in desc['networks']].index(network)
    return 'labbr%d' % index


def network_names(desc):
    """All segment names, in description order."""
    return [n['name'] for n in desc['networks']]


def default_path():
    """tests/lab/lab.yml next to this package."""
    return os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'lab.yml')

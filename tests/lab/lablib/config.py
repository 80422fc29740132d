# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lab description (tests/lab/lab.yml) and its layouts (tests/lab/layouts/NAME.yml): loaded,
checked, and turned into a per-run plan."""

import ipaddress
import os
import re

import yaml

LAB_NET = ipaddress.ip_network('198.18.0.0/15')
NIC_NAME = re.compile(r'^ens([3-9]|1[0-9]|2[0-9])$')
DEFAULT_LAYOUT = 'default'
LAYOUT_NAME = re.compile(r'^[a-z0-9][a-z0-9-]*$')
# What a layout may change; the rest is lab.yml's: the namespace names the lab instance whatever
# its layout, and the guest section keys the cached image, which every layout shares.
LAYOUT_KEYS = ('description', 'networks', 'hosts', 'target', 'guest_sysctls', 'bonds')
SYSCTL_KEY = re.compile(r'^[a-z0-9_]+(\.[a-z0-9_-]+)+$')
SYSCTL_VALUE = re.compile(r'^[0-9A-Za-z_.:-]+$')


class ConfigError(Exception):
    """The lab description is not usable."""


def load(path):
    """The checked description as plain dicts; raises ConfigError naming the bad entry."""
    desc = _read(path)
    check(desc)
    return desc


def layouts_dir():
    """tests/lab/layouts: one NAME.yml per layout besides the default (lab.yml itself)."""
    return os.path.join(os.path.dirname(default_path()), 'layouts')


def layout_names():
    """The known layouts: default first, then every layouts/NAME.yml by name."""
    found = []
    if os.path.isdir(layouts_dir()):
        found = sorted(name[:-len('.yml')] for name in os.listdir(layouts_dir())
                       if name.endswith('.yml') and LAYOUT_NAME.match(name[:-len('.yml')]))
    return [DEFAULT_LAYOUT] + [name for name in found if name != DEFAULT_LAYOUT]


def layout_path(name, base_path=None):
    """The file of a layout (lab.yml, or --description's file, for the default)."""
    if name == DEFAULT_LAYOUT:
        return base_path or default_path()
    _require(name in layout_names(), 'unknown layout %r (known: %s)' % (name, ', '.join(layout_names())))
    return os.path.join(layouts_dir(), '%s.yml' % name)


def load_layout(name, base_path=None):
    """The checked description of a layout: lab.yml with the keys the layout file sets replaced.

    The result carries 'layout' (its name) and 'layout_file' (the file that defines it)."""
    path = layout_path(name, base_path)
    base = _read(base_path or default_path())
    if name != DEFAULT_LAYOUT:
        overlay = _read(path)
        _require(isinstance(overlay, dict), 'layout %s: not a mapping' % name)
        extra = sorted(set(overlay) - set(LAYOUT_KEYS))
        _require(not extra, 'layout %s: %s cannot be set by a layout (it may set %s)' % (
            name, ', '.join(extra), ', '.join(LAYOUT_KEYS)))
        base = dict(base, **overlay)
    base.update(layout=name, layout_file=path)
    check(base)
    return base


def _read(path):
    with open(path, encoding='utf-8') as handle:
        return yaml.safe_load(handle)


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
    _check_subnets(desc['networks'])
    seen_hosts = set()
    addresses = {n['target_address']: 'the target on %s' % n['name'] for n in desc['networks']}
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
            owner = addresses.get(nic['address'])
            _require(owner is None, 'host %s: %s is already %s\'s' % (name, nic['address'], owner))
            addresses[nic['address']] = '%s %s' % (name, net_name)
    for tgt in desc['target']['targets']:
        _require(tgt['iqn'].startswith('iqn.'), 'target %s: not an IQN' % tgt['iqn'])
        _require(tgt['luns'], 'target %s: no LUNs' % tgt['iqn'])
    for key, value in (desc.get('guest_sysctls') or {}).items():
        # They become sysctl.KEY=VALUE words of the guests' kernel command line.
        _require(SYSCTL_KEY.match(str(key)) and SYSCTL_VALUE.match(str(value)),
                 'guest_sysctls: %s=%s is not a sysctl name and a one-word value' % (key, value))
    bonds = set()
    for bond in desc.get('bonds') or []:
        _require(bond['name'] not in bonds, 'bond %s: listed twice' % bond['name'])
        bonds.add(bond['name'])
        _require(bond.get('networks'), 'bond %s: no networks' % bond['name'])
        for net_name in bond['networks']:
            _require(networks.get(net_name, {}).get('role') == 'storage',
                     'bond %s: %s is not a storage network' % (bond['name'], net_name))


def _check_subnets(nets):
    """Two networks' subnets overlap only when both say shares_subnet and they are the same subnet:
    one subnet on two segments (layouts/shared-subnet.yml). Target addresses are all distinct."""
    owners = {}
    for net in nets:
        name = net['name']
        _require(net['target_address'] not in owners,
                 'network %s: target_address %s is already network %s\'s' % (
                     name, net['target_address'], owners.get(net['target_address'])))
        owners[net['target_address']] = name
        _require(not net.get('shares_subnet') or net['role'] == 'storage',
                 'network %s: only storage networks may share a subnet' % name)
    for index, net in enumerate(nets):
        subnet = ipaddress.ip_network(net['subnet'])
        partners = []
        for other in nets[:index] + nets[index + 1:]:
            other_subnet = ipaddress.ip_network(other['subnet'])
            if not subnet.overlaps(other_subnet):
                continue
            _require(net.get('shares_subnet') and other.get('shares_subnet'),
                     'network %s: subnet %s overlaps network %s\'s %s (two segments of one subnet: '
                     'shares_subnet: true on both)' % (net['name'], subnet, other['name'], other_subnet))
            _require(subnet == other_subnet, 'network %s: subnet %s shares with network %s but is not its subnet %s' % (
                net['name'], subnet, other['name'], other_subnet))
            partners.append(other['name'])
        _require(partners or not net.get('shares_subnet'),
                 'network %s: shares_subnet, but no other network has subnet %s' % (net['name'], subnet))


def shared_subnet_networks(desc):
    """{subnet: [network, ...]} of the subnets that several networks (segments) share."""
    groups = {}
    for net in desc['networks']:
        if net.get('shares_subnet'):
            groups.setdefault(net['subnet'], []).append(net['name'])
    return groups


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
            'sysctls': dict(desc.get('guest_sysctls') or {}),
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

# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One iSCSI session, in the one form every layer passes on.

A session is a dict of ``FIELDS``: the iface with its binding (``net_ifacename``, network,
subnet), the portal and its group tag, the target and CHAP, and where the engine's plan got it:
``connection_id`` (the engine's storage connection) and ``bonds`` (every iSCSI bond that asks for
it; ``bond``, the first of them, stays for plans read before ``bonds`` was there). It is built
here from the engine's plan (``engine_session``, for iscsi_bond_info's host plan) or from the
role's hand-written networks and targets (``from_form``), passed on unchanged by the role
(the CHAP password added), checked on the controller (``problems``), taken by the module with
``ARGUMENT_SPEC``, normalised there once (``normalize``), planned and logged in by
``_session_plan`` and ``_session_runner``, and named in the report by ``report_entry``.
"""

from __future__ import annotations

import collections
import ipaddress
import re

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._command import HostError
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._iscsiadm import format_portal, split_portal

DEFAULT_IFACE = 'default'
BUILT_IN_IFACES = (DEFAULT_IFACE, 'iser')
DEFAULT_NETWORK = 'default route'

FIELDS = ('iface', 'net_ifacename', 'network', 'subnet', 'address', 'port', 'tpgt', 'target', 'username', 'password',
          'connection_id', 'bond', 'bonds')

# One session as iscsi_sessions takes it (its DOCUMENTATION and the role's argument_specs say the same).
ARGUMENT_SPEC = dict(
    iface=dict(type='str', default=DEFAULT_IFACE),
    net_ifacename=dict(type='str'),
    network=dict(type='str'),
    subnet=dict(type='str'),
    address=dict(type='str', required=True),
    port=dict(type='int', default=3260),
    tpgt=dict(type='int', default=1),
    target=dict(type='str', required=True),
    username=dict(type='str'),
    password=dict(type='str', no_log=True),
    connection_id=dict(type='str'),
    bond=dict(type='str'),
    bonds=dict(type='list', elements='str', default=[]),
)


class PlanError(HostError):
    """The desired state cannot be used or conflicts with the host; nothing was changed."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__('nothing was changed: %s' % '; '.join(self.problems), problems=self.problems)


_HOST_NAME = re.compile(r'^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$')
_NAME = re.compile(r'^(iqn|eui|naa)\.', re.IGNORECASE)
_CIDR = re.compile(r'^[0-9A-Fa-f:.]+/[0-9]{1,3}$')


def is_portal_host(address):
    """An IPv4 or IPv6 address, or a DNS name: what a portal's address may be."""
    address = address.strip('[]')
    try:
        ipaddress.ip_address(address)
        return True
    except ValueError:
        return bool(_HOST_NAME.match(address))


def normal_address(address):
    """An IP address in its one canonical text (IPv6 lower case, compressed); names as given."""
    address = address.strip('[]')
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return address.lower()


def node_key(target, address, port, iface):
    """What identifies a node record or a session: IQNs compare case-insensitively (RFC 3722)."""
    return (target.lower(), normal_address(address), int(port), iface)


def key_of(item):
    return node_key(item['target'], item['address'], item['port'], item['iface'])


# -- built
def engine_session(binding, connection, *, tpgt, bond):
    """One session of the engine's plan: ``connection`` (_bond.connection_facts) through the iface
    ``binding`` (name, network, net_ifacename, subnet); ``bond`` None for a connection no bond holds."""
    return dict(iface=binding['name'], network=binding['network'], net_ifacename=binding['net_ifacename'],
                subnet=binding['subnet'], address=connection['address'], port=connection['port'], tpgt=tpgt,
                target=connection['target'], username=connection['username'], connection_id=connection['id'],
                bond=bond, bonds=[bond] if bond else [])


def add_bond(session, bond):
    """Another bond asks for the same session (two bonds may share a connection and a network)."""
    if bond and bond not in session['bonds']:
        session['bonds'].append(bond)


def _form_problems(networks, targets):
    problems = []
    for field in ('name', 'nic'):
        values = [n.get(field) for n in networks]
        doubles = sorted(set(v for v in values if values.count(v) > 1))
        if doubles:
            problems.append('iscsi_paths_networks: %s %s listed more than once' % (field, ', '.join(map(str, doubles))))
    problems += ['iscsi_paths_networks: network %s: NIC %s is a built-in iface name' % (n.get('name'), n['nic'])
                 for n in networks if n.get('nic') in BUILT_IN_IFACES]
    problems += ['iscsi_paths_networks: network %s: subnet %r is not like 198.18.1.0/24' % (n.get('name'), n['subnet'])
                 for n in networks if n.get('subnet') and not _CIDR.match(n['subnet'])]
    if not targets:
        problems.append('iscsi_paths_targets: at least one target (or give iscsi_paths_sessions)')
    iqns = [t.get('iqn') or '' for t in targets]
    problems += ['iscsi_paths_targets: %r is not an iSCSI name (iqn., eui. or naa.)' % i for i in iqns if not _NAME.match(i)]
    problems += ['iscsi_paths_targets: %s listed more than once' % i for i in sorted(set(i for i in iqns if iqns.count(i) > 1))]
    problems += ['iscsi_paths_targets: %s has no portal' % t.get('iqn') for t in targets if not t.get('portals')]
    return problems


def from_form(networks, targets):
    """The role's hand-written form as sessions: every target's portals through every network's
    iface (the engine's pairing), or through ``default`` when there are no networks. Raises
    PlanError naming every bad entry of the form."""
    problems = _form_problems(networks, targets)
    if problems:
        raise PlanError(problems)
    bindings = [dict(iface=n['nic'], network=n['name'], subnet=n.get('subnet'),
                     net_ifacename=(n.get('bridge') or n['name']) if n.get('bridged') else n['nic'])
                for n in networks] or [dict(iface=DEFAULT_IFACE, network=DEFAULT_NETWORK, subnet=None, net_ifacename=None)]
    sessions = []
    for target in targets:
        for portal in target['portals']:
            try:
                address, port, tpgt = split_portal(portal)
            except ValueError as exc:
                raise PlanError(['iscsi_paths_targets: %s: %s' % (target['iqn'], exc)])
            sessions += [passed(dict(binding, address=address, port=port, tpgt=tpgt, target=target['iqn'],
                                     username=target.get('username'), password=target.get('password'))) for binding in bindings]
    return sessions


def passed(session):
    """The session's fields that are set: what the role hands the module."""
    return dict((k, session[k]) for k in FIELDS if session.get(k) is not None)


# -- checked and normalised
def _bonds_of(entry):
    return list(collections.OrderedDict.fromkeys(b for b in [entry.get('bond')] + list(entry.get('bonds') or []) if b))


def _normal(where, raw, problems):
    """One session with its defaults and canonical values (``bond`` folded into ``bonds``), or None
    after adding its problem to ``problems``."""
    entry = dict(raw, iface=raw.get('iface') or DEFAULT_IFACE, connection_id=raw.get('connection_id'), bonds=_bonds_of(raw))
    entry.pop('bond', None)
    missing = [field for field in ('target', 'address') if not entry.get(field)]
    if missing:
        problems += ['%s has no %s' % (where, field) for field in missing]
        return None
    try:
        address, port, tpgt = split_portal(format_portal(entry['address'], entry.get('port') or 3260), printed=True)
        if not is_portal_host(address):
            raise ValueError(address)
    except ValueError:
        problems.append('%s: %r is not a portal address' % (where, entry['address']))
        return None
    # Node records are made with the portal group tag, as VDSM makes them (1 when the engine
    # has none): made without one, open-iscsi keeps one record per portal, whatever the iface.
    entry.update(address=normal_address(address), port=port, tpgt=int(entry.get('tpgt') or tpgt or 1))
    if entry['iface'] in BUILT_IN_IFACES:
        entry['net_ifacename'] = None
    elif not entry.get('net_ifacename'):
        problems.append('%s (%s): iface %s needs the device it binds to (net_ifacename)' % (where, entry['target'], entry['iface']))
        return None
    if entry.get('subnet'):
        try:
            ipaddress.ip_network(entry['subnet'], strict=False)
        except ValueError:
            problems.append('%s: subnet %r is not a CIDR network' % (where, entry['subnet']))
            return None
    if bool(entry.get('username')) != bool(entry.get('password')):
        problems.append('%s (%s): CHAP needs both username and password' % (where, entry['target']))
        return None
    entry['network'] = entry.get('network') or (DEFAULT_NETWORK if entry['iface'] == DEFAULT_IFACE else entry['iface'])
    return entry


def normalize(sessions):
    """The sessions checked and completed, one per (iface, portal, target): a session listed twice
    keeps the bonds of both. Raises PlanError naming every bad entry."""
    problems, seen = [], collections.OrderedDict()
    for index, raw in enumerate(sessions):
        entry = _normal('sessions[%d]' % index, raw, problems)
        if entry is None:
            continue
        first = seen.setdefault(key_of(entry), entry)
        if first is not entry:
            for bond in entry['bonds']:
                add_bond(first, bond)
            first['connection_id'] = first['connection_id'] or entry['connection_id']
    bindings = collections.defaultdict(set)
    for entry in seen.values():
        bindings[entry['iface']].add(entry.get('net_ifacename'))
    for iface, devices in sorted(bindings.items()):
        if len(devices) > 1:
            problems.append('iface %s is asked to bind to several devices: %s' % (iface, ', '.join(sorted(str(d) for d in devices))))
    if problems:
        raise PlanError(problems)
    return list(seen.values())


def problems(sessions):
    """Every problem of the sessions, as lines naming the entry (never a secret); [] when good.
    The controller's check, by the rules the module normalises with."""
    try:
        normalize(sessions)
    except PlanError as error:
        return error.problems
    return []


# -- reported
def report_entry(session, reason, wwid=None):
    """A session in the report (missing, would log in, not routable): where it goes, why, and
    where the engine's plan got it (its storage connection and bonds)."""
    return {'wwid': wwid, 'target': session['target'], 'portal': format_portal(session['address'], session['port']),
            'iface': session['iface'], 'network': session['network'], 'reason': reason,
            'connection_id': session.get('connection_id'), 'bonds': list(session.get('bonds') or [])}

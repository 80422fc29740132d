# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""iSCSI bonds: the task's wishes resolved inside one data center, and the plan.

``resolve`` checks everything the engine would refuse (and what it would
accept but is useless, such as a bond without a network) before anything is
written, collecting every problem into one ``ValidationError``.
``plan(actual, desired, snapshot)`` is pure: it says what to write and is
also the diff (names and portals, never ids).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import collections
import ipaddress
import unicodedata

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._errors import ValidationError
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._snapshot import portal_label

NAME_MAX = 50
DESCRIPTION_MAX = 4000
ISCSI_PORT = 3260
PORTAL_KEYS = ('address', 'port', 'target')

Desired = collections.namedtuple('Desired', 'name description network_ids connection_ids')
PortalRef = collections.namedtuple('PortalRef', 'address port target')


def _bad_name_chars(name):
    return sorted(set(c for c in name if not (c.isalpha() or c in '0123456789._-')))


def _char_label(char):
    """A character as a person can read it, even a combining mark or a control character."""
    if char.isprintable() and ord(char) < 128:
        return repr(char)
    return 'U+%04X %s' % (ord(char), unicodedata.name(char, 'control character'))


def name_problem(name, what='iSCSI bond name'):
    """The engine's bean checks on a bond name: 1-50 letters, digits, '.', '_' or '-'."""
    if not name:
        return '%s must not be empty' % what
    if len(name) > NAME_MAX:
        return '%s %r is longer than %d characters' % (what, name, NAME_MAX)
    bad = _bad_name_chars(name)
    if bad:
        problem = '%s %r may only contain letters, digits, ".", "_" and "-" (not %s)' % (
            what, name, ', '.join(_char_label(c) for c in bad))
        composed = unicodedata.normalize('NFC', name)
        # A letter typed as base + combining mark (e + U+0301) is one letter once composed.
        if composed != name and not _bad_name_chars(composed) and len(composed) <= NAME_MAX:
            problem += '; composed (Unicode NFC) as %r it is valid' % composed
        return problem
    return None


def same_address(one, other):
    """Portal addresses compared as addresses (fd00::1 is FD00:0:0:0::1), host names without case."""
    one, other = (one or '').strip('[]'), (other or '').strip('[]')
    try:
        return ipaddress.ip_address(one) == ipaddress.ip_address(other)
    except ValueError:
        return one.lower() == other.lower()


def _describe(item):
    """How an entry is named in a message: never its values beyond the portal,
    since a mistaken dict may carry a CHAP password."""
    if isinstance(item, dict):
        return 'entry {address: %s, target: %s}' % (item.get('address'), item.get('target'))
    if isinstance(item, (int, float, bool)) or item is None:
        return repr(item)
    return 'an entry of type %s' % type(item).__name__


def parse_connection_ref(item):
    """A ``storage_connections`` entry: an id (str) or a PortalRef; raises ValueError."""
    if isinstance(item, str):
        if not item.strip():
            raise ValueError('storage_connections: an empty string is not a connection id')
        return item.strip()
    if not isinstance(item, dict):
        raise ValueError('storage_connections: %s is neither a connection id nor a dict with address, port and target' % _describe(item))
    unknown = sorted(str(key) for key in set(item) - set(PORTAL_KEYS))
    if unknown:
        raise ValueError('storage_connections: %s has unknown keys %s (allowed: address, port, target)' % (_describe(item), ', '.join(unknown)))
    address, target, port = item.get('address'), item.get('target'), item.get('port', ISCSI_PORT)
    if isinstance(address, str):
        address = address.strip().strip('[]')  # a bracketed IPv6 address, as in a portal
    if not isinstance(address, str) or not address:
        raise ValueError('storage_connections: %s needs an address (a string)' % _describe(item))
    if not isinstance(target, str) or not target:
        raise ValueError('storage_connections: %s needs a target IQN (a string)' % _describe(item))
    if port is None:
        port = ISCSI_PORT
    if isinstance(port, bool) or not (isinstance(port, int) or (isinstance(port, str) and port.isdigit())):
        raise ValueError('storage_connections: port %r of %s is not a number' % (port, address))
    port = int(port)
    if not 0 < port < 65536:
        raise ValueError('storage_connections: port %d of %s is out of range' % (port, address))
    return PortalRef(address=address, port=port, target=target)


def _unique(ids):
    return list(collections.OrderedDict.fromkeys(ids))


class Resolver:
    """Resolves one task's options against a Snapshot; ``lookup`` explains misses.

    ``lookup`` has ``connection(id)`` -> Connection or None and
    ``network_homes(name)`` -> list of data center names; both are only
    called when the input is already known to be wrong.
    """

    def __init__(self, snapshot, lookup):
        self.snapshot = snapshot
        self.lookup = lookup
        self.problems = []

    def fail(self, text):
        self.problems.append(text)

    def target_bond(self, name, new_name):
        """(existing bond or None, name it should have)."""
        snap = self.snapshot
        current = snap.bond_named(name)
        if not new_name or new_name == name:
            return current, name
        renamed = snap.bond_named(new_name)
        if current is not None and renamed is not None:
            self.fail('cannot rename iSCSI bond %r to %r: data center %r already has an iSCSI bond named %r'
                      % (name, new_name, snap.dc_name, new_name))
        return current or renamed, new_name

    def network_ids(self, names, actual):
        snap = self.snapshot
        ids = []
        for name in names:
            network = snap.network_named(name)
            if network is None:
                homes = self.lookup.network_homes(name)
                if homes:
                    self.fail('network %r is not a network of data center %r (it belongs to data center %s)'
                              % (name, snap.dc_name, ', '.join(repr(h) for h in homes)))
                else:
                    self.fail('network %r does not exist in data center %r' % (name, snap.dc_name))
                continue
            ids.append(network.id)
        already = set(actual.network_ids) if actual else set()
        for network_id in ids:
            clusters = snap.required_in(network_id)
            # The engine checks only networks being added; so do we.
            if clusters and network_id not in already:
                self.fail('network %r is required in cluster %s and a required network cannot be part of an iSCSI bond'
                          % (snap.network_label(network_id), ', '.join(repr(c) for c in clusters)))
        return _unique(ids)

    def connection_ids(self, refs, domain_names, actual):
        snap = self.snapshot
        members = set(actual.connection_ids) if actual else set()
        ids = []
        for ref in refs:
            if isinstance(ref, PortalRef):
                ids.extend(self._by_portal(ref))
            else:
                ids.extend(self._by_id(ref, members))
        for name in domain_names:
            domain = snap.domains.get(name)
            if domain is None:
                self.fail('storage domain %r is not attached to data center %r' % (name, snap.dc_name))
            elif domain.storage_type != 'iscsi':
                self.fail('storage domain %r is of type %s, not iSCSI' % (name, domain.storage_type))
            else:
                ids.extend(c for c in domain.connection_ids if snap.connections[c].type == 'iscsi')
        return _unique(ids)

    def _by_portal(self, ref):
        snap = self.snapshot
        # iSCSI names are case-insensitive (RFC 3722 folds them to lower case).
        found = [c for c in snap.iscsi_connections()
                 if same_address(c.address, ref.address) and int(c.port or ISCSI_PORT) == ref.port
                 and (c.target or '').lower() == ref.target.lower()]
        label = portal_label(*ref)
        if not found:
            self.fail('no iSCSI storage connection of data center %r matches %s' % (snap.dc_name, label))
            return []
        if len(found) > 1:
            self.fail('several iSCSI storage connections match %s (%s): name one by id'
                      % (label, ', '.join(c.id for c in found)))
            return []
        return [found[0].id]

    def _by_id(self, connection_id, members):
        snap = self.snapshot
        known = snap.connections.get(connection_id)
        if known is not None:
            if known.type != 'iscsi':
                self.fail('storage connection %s is of type %s, not iSCSI' % (connection_id, known.type))
                return []
            return [connection_id]
        if connection_id in members:
            # Already a member though no storage domain of the DC uses it any
            # more: the engine checks only added connections, so keep it.
            return [connection_id]
        found = self.lookup.connection(connection_id)
        if found is None:
            self.fail('storage connection %s does not exist' % connection_id)
        elif found.type != 'iscsi':
            self.fail('storage connection %s is of type %s, not iSCSI' % (connection_id, found.type))
        else:
            self.fail('storage connection %s (%s) is not used by any storage domain of data center %r'
                      % (connection_id, portal_label(found.address, found.port, found.target), snap.dc_name))
        return []


def _connection_ids(resolver, params, actual, target_name, removing):
    """The bond's connection ids as the task wants them (the actual ones when not given)."""
    refs = []
    for item in params.get('storage_connections') or []:
        try:
            refs.append(parse_connection_ref(item))
        except ValueError as error:
            resolver.fail(str(error))
    if params.get('storage_connections') is None and params.get('storage_domains') is None:
        return list(actual.connection_ids) if actual else []
    problems_before = len(resolver.problems)
    connection_ids = resolver.connection_ids(refs, params.get('storage_domains') or [], actual)
    # An empty list (one `| default([])` away) would silently cut every path.
    if (not removing and not connection_ids and actual is not None and actual.connection_ids
            and len(resolver.problems) == problems_before):
        resolver.fail('storage_connections and storage_domains together name no iSCSI connection, which would '
                      'remove every connection of iSCSI bond %r; to remove the bond use state=absent, to leave '
                      'its connections alone omit both options' % target_name)
    return connection_ids


def resolve(snapshot, params, lookup):
    """(actual Bond or None, Desired or None for absent); raises ValidationError.

    Every option given is checked whatever the state: ``state=absent`` with a bad
    option is refused too, not silently ignored.
    """
    resolver = Resolver(snapshot, lookup)
    name, new_name = params['name'], params.get('new_name')
    removing = params['state'] == 'absent'
    for value, what in ((name, 'iSCSI bond name'), (new_name, 'new_name')):
        problem = name_problem(value, what) if value is not None else None
        if problem:
            resolver.fail(problem)
    if removing:
        actual, target_name = snapshot.bond_named(name), name
    else:
        actual, target_name = resolver.target_bond(name, new_name)
    description = params.get('description')
    if description is not None and len(description) > DESCRIPTION_MAX:
        resolver.fail('description is longer than %d characters' % DESCRIPTION_MAX)
    if description is None:
        description = actual.description if actual else None

    if params.get('networks') is None:
        network_ids = list(actual.network_ids) if actual else []
    else:
        network_ids = resolver.network_ids(params['networks'], actual)
    # What the bond would become matters only when it stays.
    if not removing and params.get('networks') is not None and not params['networks']:
        resolver.fail('networks must name at least one network: an iSCSI bond without networks does nothing')
    elif not removing and actual is None and params.get('networks') is None:
        resolver.fail('networks is required to create iSCSI bond %r: an iSCSI bond without networks does nothing' % target_name)
    connection_ids = _connection_ids(resolver, params, actual, target_name, removing)

    if resolver.problems:
        raise ValidationError(resolver.problems)
    if removing:
        return actual, None
    return actual, Desired(target_name, description, network_ids, connection_ids)


def bond_view(snapshot, name, description, network_ids, connection_ids):
    """What a bond looks like to a person: names and portals, sorted."""
    return dict(
        name=name,
        description=description or '',
        networks=sorted(snapshot.network_label(i) for i in network_ids),
        storage_connections=sorted(snapshot.connection_label(i) for i in connection_ids),
    )


class BondPlan:
    """The writes that turn ``actual`` into ``desired``; ``diff`` shows them."""

    def __init__(self, action, bond_id=None, update=None, networks_add=(), networks_remove=(),
                 connections_add=(), connections_remove=(), before=None, after=None):
        self.action = action          # create, update, remove or none
        self.bond_id = bond_id
        self.update = update or {}    # name/description fields to PUT
        self.networks_add = list(networks_add)
        self.networks_remove = list(networks_remove)
        self.connections_add = list(connections_add)
        self.connections_remove = list(connections_remove)
        self.before = before or {}
        self.after = after or {}

    @property
    def changed(self):
        if self.action in ('create', 'remove'):
            return True
        return bool(self.update or self.networks_add or self.networks_remove
                    or self.connections_add or self.connections_remove)

    @property
    def diff(self):
        return dict(before=self.before, after=self.after)


def plan(actual, desired, snapshot):
    """Pure: from the existing bond (or None) and the Desired (or None = absent)."""
    before = bond_view(snapshot, actual.name, actual.description, actual.network_ids,
                       actual.connection_ids) if actual else {}
    if desired is None:
        if actual is None:
            return BondPlan('none')
        return BondPlan('remove', bond_id=actual.id, before=before)
    after = bond_view(snapshot, desired.name, desired.description, desired.network_ids, desired.connection_ids)
    if actual is None:
        return BondPlan('create', networks_add=desired.network_ids, connections_add=desired.connection_ids,
                        before=before, after=after)
    update = {}
    if desired.name != actual.name:
        update['name'] = desired.name
    if (desired.description or '') != (actual.description or ''):
        update['description'] = desired.description or ''
    have_networks, have_connections = set(actual.network_ids), set(actual.connection_ids)
    want_networks, want_connections = set(desired.network_ids), set(desired.connection_ids)
    result = BondPlan(
        'update', bond_id=actual.id, update=update,
        networks_add=[i for i in desired.network_ids if i not in have_networks],
        networks_remove=[i for i in actual.network_ids if i not in want_networks],
        connections_add=[i for i in desired.connection_ids if i not in have_connections],
        connections_remove=[i for i in actual.connection_ids if i not in want_connections],
        before=before, after=after,
    )
    if not result.changed:
        result.action = 'none'
    return result


def connection_facts(snapshot, connection_id):
    """Documented shape of one connection; never a password (the engine returns none)."""
    known = snapshot.connections.get(connection_id)
    if known is None:
        return dict(id=connection_id, address=None, port=None, target=None, username=None)
    return dict(id=known.id, address=known.address, port=known.port, target=known.target, username=known.username)


def bond_facts(snapshot, bond_id, name, description, network_ids, connection_ids):
    """Documented shape of one bond (RETURN ``iscsi_bond`` / ``iscsi_bonds``)."""
    return dict(
        id=bond_id,
        name=name,
        description=description or '',
        data_center=dict(id=snapshot.dc_id, name=snapshot.dc_name),
        networks=[dict(id=i, name=snapshot.network_label(i)) for i in network_ids],
        storage_connections=[connection_facts(snapshot, i) for i in connection_ids],
    )

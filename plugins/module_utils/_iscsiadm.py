# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""iscsiadm: one runner (argument lists, C locale) and one pure parser per output.

Parsers take the text iscsiadm printed and return plain dicts; they never run anything,
so the unit tests feed them output captured from real open-iscsi 2.1.8 runs in the lab.
Lines a parser does not understand are handed to ``warn`` instead of being dropped silently.
"""

from __future__ import annotations

import re

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._command import CommandError, find_command

# iscsiadm exit codes (open-iscsi include/iscsi_err.h) that change what a caller does.
RC_SESSION_EXISTS = 15
RC_NO_OBJECTS_FOUND = 21
RC_LOGIN_AUTH_FAILED = 24

EMPTY = '<empty>'
# Node record keys whose values are secrets: never returned, never put in a diff.
SECRET_KEYS = frozenset(('node.session.auth.password', 'node.session.auth.password_in',
                         'discovery.sendtargets.auth.password', 'discovery.sendtargets.auth.password_in'))


class IscsiadmError(CommandError):
    """An iscsiadm call failed; ``msg`` names the iface, portal or target it was about."""


class Iscsiadm:
    """Runs iscsiadm with argument lists in the C locale (its messages are parsed)."""

    def __init__(self, module):
        self._module = module
        self._binary = find_command(module, 'iscsiadm', 'open-iscsi')

    def run(self, args, *, what, ok_rcs=(0,)):
        """Run ``iscsiadm ARGS``; return (rc, stdout). ``what`` says what the call was for."""
        cmd = [self._binary] + list(args)
        rc, out, err = self._module.run_command(cmd, environ_update={'LC_ALL': 'C', 'LANG': 'C'})
        if rc not in ok_rcs:
            detail = (err or out or '').strip().splitlines()
            last = detail[-1] if detail else 'no message'
            raise IscsiadmError('%s failed (iscsiadm rc %d): %s' % (what, rc, last), cmd=cmd, rc=rc, stderr=err)
        return rc, out

    # Reads. "No records" / "no sessions" (rc 21) is an empty answer, not an error.
    def ifaces(self, warn=None):
        rc, out = self.run(['-m', 'iface'], what='list iSCSI ifaces', ok_rcs=(0, RC_NO_OBJECTS_FOUND))
        return {} if rc == RC_NO_OBJECTS_FOUND else parse_iface_list(out, warn=warn)

    def nodes(self, warn=None):
        rc, out = self.run(['-m', 'node', '-P', '1'], what='list iSCSI node records', ok_rcs=(0, RC_NO_OBJECTS_FOUND))
        return [] if rc == RC_NO_OBJECTS_FOUND else parse_node_tree(out, warn=warn)

    def node_records(self, *, show_secrets=False, warn=None):
        """Every node record in full, in one call: [(node, record)]. One iscsiadm process for
        the whole database instead of a listing and one --show per node (a re-run's reads)."""
        args = ['-m', 'node', '-o', 'show'] + (['--show'] if show_secrets else [])
        rc, out = self.run(args, what='read iSCSI node records', ok_rcs=(0, RC_NO_OBJECTS_FOUND))
        return [] if rc == RC_NO_OBJECTS_FOUND else parse_record_dump(out, warn=warn)

    def sessions(self, warn=None):
        rc, out = self.run(['-m', 'session', '-P', '3'], what='list iSCSI sessions', ok_rcs=(0, RC_NO_OBJECTS_FOUND))
        return [] if rc == RC_NO_OBJECTS_FOUND else parse_session_tree(out, warn=warn)

    def node_record(self, node, *, show_secrets=False):
        args = node_args(node) + (['--show'] if show_secrets else [])
        dummy, out = self.run(args, what='read node record %s' % describe_node(node))
        return parse_record(out)


# ---------------------------------------------------------------------------------------------
# Portals
def format_portal(address, port=3260):
    """``address:port`` with IPv6 addresses bracketed, the form iscsiadm expects after -p."""
    address = address.strip('[]')
    if ':' in address:
        return '[%s]:%s' % (address, port)
    return '%s:%s' % (address, port)


def split_portal(text, *, default_port=3260, printed=False):
    """'198.18.1.1:3260,1', '[fd00::1]:3260,1', '198.18.1.1' -> (address, port, tpgt or None).

    An unbracketed address with several colons is IPv6: taken whole when a user wrote it, but
    ``printed=True`` (text iscsiadm printed) takes its last ':N' as the port.
    """
    body, sep, tail = text.strip().rpartition(',')
    if sep and tail.lstrip('-').isdigit():
        tpgt = int(tail)
    else:
        body, tpgt = text.strip(), None
    if body.startswith('['):
        address, closed, rest = body[1:].partition(']')
        port = rest[1:] if rest.startswith(':') else ''
        if not closed or (rest and not rest.startswith(':')):
            address = ''
    elif body.count(':') > 1 and not printed:
        address, port = body, ''
    else:
        address, dummy, port = body.rpartition(':') if ':' in body else (body, '', '')
    if not address or (port and not port.isdigit()) or ' ' in address:
        raise ValueError('not an iSCSI portal: %r' % text)
    return address, int(port) if port else default_port, tpgt


def node_args(node):
    """The -m node selector for one node record: target, portal (with tpgt when known), iface."""
    portal = format_portal(node['address'], node['port'])
    if node.get('tpgt') is not None:
        portal = '%s,%d' % (portal, node['tpgt'])
    return ['-m', 'node', '-T', node['target'], '-p', portal, '-I', node['iface']]


def describe_node(node):
    return 'target %s at portal %s through iface %s' % (node['target'], format_portal(node['address'], node['port']), node['iface'])


# ---------------------------------------------------------------------------------------------
# Parsers
def _value(text):
    text = text.strip()
    return '' if text == EMPTY else text


def parse_iface_list(text, warn=None):
    """``iscsiadm -m iface``: 'NAME transport,hwaddress,ipaddress,net_ifacename,initiatorname'."""
    ifaces = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        name, dummy, rest = line.strip().partition(' ')
        fields = rest.split(',')
        if not name or len(fields) != 5:
            if warn:
                warn('iscsiadm -m iface: unparsed line %r' % line)
            continue
        transport, hwaddress, ipaddress, net_ifacename, initiatorname = (_value(f) for f in fields)
        ifaces[name] = {'name': name, 'transport': transport, 'hwaddress': hwaddress, 'ipaddress': ipaddress,
                        'net_ifacename': net_ifacename, 'initiatorname': initiatorname}
    return ifaces


def parse_record(text, warn=None):
    """A '# BEGIN RECORD' dump (iface or node record): 'key = value' lines -> dict."""
    record = {}
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith('#'):
            continue
        key, sep, value = stripped.partition(' = ')
        if not sep:
            if warn:
                warn('iscsiadm record: unparsed line %r' % line)
            continue
        record[key] = _value(value)
    return record


# The node record keys that say which node a record is (its selector: node_args).
_NODE_KEYS = {'target': 'node.name', 'address': 'node.conn[0].address', 'port': 'node.conn[0].port',
              'tpgt': 'node.tpgt', 'iface': 'iface.iscsi_ifacename'}


def parse_record_dump(text, warn=None):
    """``iscsiadm -m node -o show``: every record, each between '# BEGIN RECORD' and '# END
    RECORD' -> [(node, record)], node as parse_node_tree gives it. A record missing one of its
    selector keys is handed to ``warn`` and left out."""
    out, lines = [], None
    for line in text.splitlines():
        if line.startswith('# BEGIN RECORD'):
            lines = []
        elif line.startswith('# END RECORD') and lines is not None:
            record = parse_record('\n'.join(lines), warn=warn)
            node = _node_of(record)
            if node is None:
                if warn:
                    warn('iscsiadm -m node -o show: a record without %s' % ', '.join(k for k in _NODE_KEYS.values() if not record.get(k)))
            else:
                out.append((node, record))
            lines = None
        elif lines is not None:
            lines.append(line)
        elif line.strip() and warn:
            warn('iscsiadm -m node -o show: unparsed line %r' % line)
    return out


def _node_of(record):
    if not all(record.get(key) for key in _NODE_KEYS.values()):
        return None
    node = dict((name, record[key]) for name, key in _NODE_KEYS.items())
    try:
        node['port'], node['tpgt'] = int(node['port']), int(node['tpgt'])
    except ValueError:
        return None
    return node


def parse_flat_nodes(text, warn=None):
    """``iscsiadm -m discovery`` and ``-m node``: 'PORTAL,TPGT TARGET' per line."""
    nodes = []
    for line in text.splitlines():
        portal, dummy, target = line.strip().partition(' ')
        if not portal:
            continue
        try:
            address, port, tpgt = split_portal(portal, printed=True)
        except ValueError:
            address = None
        if address is None or not target.strip() or ' ' in target.strip():
            if warn:
                warn('iscsiadm node list: unparsed line %r' % line)
            continue
        nodes.append({'target': target.strip(), 'address': address, 'port': port, 'tpgt': tpgt})
    return nodes


def parse_node_tree(text, warn=None):
    """``iscsiadm -m node -P 1``: Target / Portal / Iface Name tree -> one dict per node record."""
    nodes = []
    target = portal = None
    for line in text.splitlines():
        key, sep, value = line.strip().partition(': ')
        if not sep:
            if line.strip() and warn:
                warn('iscsiadm -m node -P 1: unparsed line %r' % line)
            continue
        value = value.strip()
        if key == 'Target':
            target, portal = value, None
        elif key == 'Portal' and target:
            portal = split_portal(value, printed=True)
        elif key == 'Iface Name' and portal:
            nodes.append({'target': target, 'address': portal[0], 'port': portal[1], 'tpgt': portal[2], 'iface': value})
        elif warn:
            warn('iscsiadm -m node -P 1: unparsed line %r' % line)
    return nodes


# "Key: value" lines of ``iscsiadm -m session -P 3`` and the session field each one fills.
_SESSION_FIELDS = {
    'Persistent Portal': 'persistent_portal',
    'Current Portal': 'current_portal',
    'Iface Name': 'iface',
    'Iface Transport': 'transport',
    'Iface IPaddress': 'ipaddress',
    'Iface Netdev': 'netdev',
    'Iface HWaddress': 'hwaddress',
    'SID': 'sid',
    'iSCSI Connection State': 'connection_state',
    'iSCSI Session State': 'session_state',
    'Internal iscsid Session State': 'iscsid_state',
}
_TARGET_RE = re.compile(r'^Target: (?P<target>\S+)(?: \((?P<kind>[^)]*)\))?$')
_HOST_RE = re.compile(r'^Host Number: (?P<host>\d+)\s+State: (?P<state>\S+)$')
_LUN_RE = re.compile(r'^scsi(?P<host>\d+) Channel (?P<channel>\d+) Id (?P<id>\d+) Lun: (?P<lun>\d+)$')
_DISK_RE = re.compile(r'^Attached scsi disk (?P<disk>\S+)\s+State: (?P<state>\S+)$')


def parse_session_tree(text, warn=None):
    """``iscsiadm -m session -P 1|3``: one dict per session with its iface and attached disks.

    Sections of -P 2/3 this module does not need (timeouts, CHAP, negotiated parameters) are
    skipped on purpose; the CHAP section prints secrets masked, and they are never kept here.
    """
    sessions = []
    target = None
    session = None
    lun = None
    for line in text.splitlines():
        stripped = line.strip()
        match = _TARGET_RE.match(stripped)
        if match:
            target, session, lun = match.group('target'), None, None
            continue
        key, sep, value = stripped.partition(':')
        field = _SESSION_FIELDS.get(key) if sep else None
        if field and target:
            value = value.strip()
            if field == 'current_portal' or session is None:
                session = {'target': target, 'devices': []}
                sessions.append(session)
            elif field == 'iface' and 'iface' in session:
                # iscsiadm prints a portal only when it changes: a second session to the same
                # target and portal (through another iface) starts at its Interface block.
                session = {'target': target, 'devices': [], 'current_portal': session.get('current_portal'),
                           'persistent_portal': session.get('persistent_portal')}
                sessions.append(session)
                lun = None
            session[field] = int(value) if field == 'sid' else _value(value)
            continue
        if session is None:
            continue
        match = _HOST_RE.match(stripped)
        if match:
            session['host_number'] = int(match.group('host'))
            continue
        match = _LUN_RE.match(stripped)
        if match:
            lun = {'hctl': '%d:%d:%d:%d' % tuple(int(n) for n in match.group('host', 'channel', 'id', 'lun')), 'lun': int(match.group('lun')),
                   'disk': None, 'state': None}
            session['devices'].append(lun)
            continue
        match = _DISK_RE.match(stripped)
        if match and lun is not None:
            lun['disk'], lun['state'] = match.group('disk'), match.group('state')
    for session in sessions:
        portal = session.get('persistent_portal') or session.get('current_portal')
        if portal:
            session['address'], session['port'], session['tpgt'] = split_portal(portal, printed=True)
        elif warn:
            warn('iscsiadm -m session: session %s has no portal' % session.get('sid'))
    return sessions

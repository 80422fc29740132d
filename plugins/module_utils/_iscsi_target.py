# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Node records and sessions of one target through given ifaces: a plan, then its execution.

The plan compares what iscsiadm reports (node records, their settings, sessions) with the wish
and lists the steps per portal and iface. Every portal of every iface is planned, and every
portal that needs a record is asked by discovery (read-only) whether it offers the target,
before the first write: a portal that does not fails the task with nothing changed. The same
plan is the diff and, outside check mode, is executed step by step. CHAP secrets are compared
here and never leave: the plan records only that the secret changes, not its value.
"""

from __future__ import annotations

import ipaddress

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._command import HostError
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._iscsiadm import (
    RC_LOGIN_AUTH_FAILED, RC_SESSION_EXISTS, IscsiadmError, describe_node, format_portal, node_args,
    parse_flat_nodes, split_portal)
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._session_plan import (
    AUTH_METHOD, AUTH_PASSWORD, AUTH_USERNAME, OWNED_KEYS, STARTUP, node_key, node_settings, normal_address)


def desired_settings(*, startup, username, password, extra=None):
    """The node record keys this collection owns, with the values they must have (the same
    settings ``iscsi_sessions`` writes: ``_session_plan.node_settings``).

    Raises HostError when ``extra`` tries to set a key the options own.
    """
    for key in extra or {}:
        if key in OWNED_KEYS or not key.startswith('node.'):
            raise HostError('node_settings: %s is not a node record key it may set (use the module options for startup and CHAP)' % key)
    common = dict(extra or {})
    common[STARTUP] = startup
    return node_settings({'username': username, 'password': password or ''}, common)


def select_portals(portals, subnet):
    """Parse 'address[:port]' portals; with ``subnet``, keep only those inside it.

    Returns (selected, skipped): lists of (address, port). Host names cannot be placed in a
    subnet and are kept. Raises HostError on a portal or subnet that cannot be parsed.
    """
    try:
        network = ipaddress.ip_network(subnet, strict=False) if subnet else None
        parsed = [split_portal(text)[:2] for text in portals]
    except ValueError as exc:
        raise HostError(str(exc)) from None
    selected, skipped = [], []
    for address, port in parsed:
        try:
            inside = network is None or ipaddress.ip_address(address) in network
        except ValueError:
            inside = True
        (selected if inside else skipped).append((address, port))
    return selected, skipped


def find(items, *, target, address, port, iface):
    """The node record or session of this target, portal and iface, or None; compared as
    ``node_key`` compares them (IQNs without regard to case, IPv6 addresses in one text)."""
    wanted = node_key(target, address, port, iface)
    return next((item for item in items if item.get('target') and item.get('address') and item.get('port') is not None
                 and node_key(item['target'], item['address'], item['port'], item.get('iface')) == wanted), None)


def plan_portal(*, state, node, session, record, settings):
    """Steps for one portal, given its node record (None if missing), its session (None if not
    logged in) and the record's settings (None when unread).

    Steps: ('discover',), ('create',), ('set', key), ('login',), ('logout', sid), ('delete',).
    """
    steps = []
    if state == 'absent':
        if session:
            steps.append(('logout', session.get('sid')))
        if node:
            steps.append(('delete',))
        return steps
    if node is None:
        steps += [('discover',), ('create',)]
    record = record or {}
    for key, value in settings.items():
        if record.get(key) != value:
            steps.append(('set', key))
    if session is None:
        steps.append(('login',))
    return steps


def portal_view(*, target, address, port, iface, node, session, record, settings=None):
    """What the diff shows for one portal: no secret, only whether one is set."""
    if node is None and session is None:
        return {}
    source = dict(record or {})
    if settings is not None:
        source.update(settings)
    return {
        'target': target, 'portal': format_portal(address, port), 'iface': iface,
        'node_record': node is not None, 'startup': source.get(STARTUP),
        'auth_method': source.get(AUTH_METHOD), 'auth_username': source.get(AUTH_USERNAME) or '',
        'logged_in': session is not None,
    }


class TargetManager:
    """Reads the state of one target once, plans every portal of every iface, applies the plans."""

    def __init__(self, iscsiadm, module, *, target, state, settings, discover):
        self.iscsiadm = iscsiadm
        self.module = module
        self.target = target
        self.state = state
        self.settings = settings
        self.discover = discover

    def plan(self, routes):
        """Plans for ``routes``, [(iface, [(address, port)])]: reads and discovery only.

        Raises HostError (nothing written yet) on a portal asked twice through one iface, and
        IscsiadmError on a portal that does not offer the target through its iface.
        """
        nodes = self.iscsiadm.nodes(warn=self.module.warn)
        sessions = self.iscsiadm.sessions(warn=self.module.warn)
        plans, seen = [], set()
        for iface, portals in routes:
            for address, port in portals:
                wanted = {'target': self.target, 'address': address, 'port': port, 'iface': iface}
                if (address, port, iface) in seen:
                    raise HostError('target %s: portal %s is asked twice through iface %s' % (self.target, format_portal(address, port), iface))
                seen.add((address, port, iface))
                plans.append(self._plan_portal(wanted, find(nodes, **wanted), find(sessions, **wanted)))
        return plans

    def _plan_portal(self, wanted, node, session):
        record = None
        if node is not None and self.state == 'present':
            # --show: the CHAP secret is compared in memory only, never returned.
            record = self.iscsiadm.node_record(dict(wanted, tpgt=node.get('tpgt')), show_secrets=True)
        steps = plan_portal(state=self.state, node=node, session=session, record=record, settings=self.settings)
        if not self.discover:
            steps = [step for step in steps if step[0] != 'discover']
        planned = dict(wanted, tpgt=node.get('tpgt') if node else None)
        if ('discover',) in steps:
            planned['tpgt'] = self._discover_tpgt(planned)
        return {'node': planned, 'found': node, 'session': session, 'record': record, 'steps': steps}

    def apply(self, plan):
        node = plan['node']
        for step in plan['steps']:
            kind = step[0]
            if kind == 'create':  # 'discover' was done while planning: it writes nothing.
                self.iscsiadm.run(node_args(node) + ['-o', 'new'], what='create node record for %s' % describe_node(node))
            elif kind == 'set':
                key = step[1]
                self.iscsiadm.run(node_args(node) + ['-o', 'update', '-n', key, '-v', self.settings[key]],
                                  what='set %s on node record for %s' % (key, describe_node(node)))
            elif kind == 'login':
                self._login(node)
            elif kind == 'logout':
                self.iscsiadm.run(['-m', 'session', '-r', str(step[1]), '-u'], what='log out of %s' % describe_node(node))
            elif kind == 'delete':
                self.iscsiadm.run(node_args(node) + ['-o', 'delete'], what='delete node record for %s' % describe_node(node))

    def _discover_tpgt(self, node):
        """SendTargets through the iface without storing records: proves the portal offers the
        target on this network and gives its portal group tag, and creates no record for the
        other targets the portal may offer."""
        portal = format_portal(node['address'], node['port'])
        dummy, out = self.iscsiadm.run(['-m', 'discovery', '-t', 'sendtargets', '-p', portal, '-I', node['iface'], '-o', 'nonpersistent'],
                                       what='discovery at portal %s through iface %s' % (portal, node['iface']))
        offered = [n for n in parse_flat_nodes(out, warn=self.module.warn) if n['target'].lower() == node['target'].lower()]
        if not offered:
            raise IscsiadmError('portal %s does not offer target %s through iface %s (it offers: %s)' % (
                portal, node['target'], node['iface'], ', '.join(sorted({n['target'] for n in parse_flat_nodes(out)})) or 'nothing'))
        exact = [n for n in offered if normal_address(n['address']) == normal_address(node['address']) and n['port'] == node['port']]
        return (exact or offered)[0]['tpgt']

    def _login(self, node):
        try:
            self.iscsiadm.run(node_args(node) + ['--login'], what='log in to %s' % describe_node(node), ok_rcs=(0, RC_SESSION_EXISTS))
        except IscsiadmError as exc:
            if exc.rc == RC_LOGIN_AUTH_FAILED:
                exc.msg = 'CHAP authentication failed logging in to %s: check the username and password' % describe_node(node)
                exc.args = (exc.msg,)
            raise


def diff_of(plans, target, settings):
    before, after = {}, {}
    for plan in plans:
        node = plan['node']
        key = '%s via %s' % (format_portal(node['address'], node['port']), node['iface'])
        common = dict(target=target, address=node['address'], port=node['port'], iface=node['iface'])
        before[key] = portal_view(node=plan['found'], session=plan['session'], record=plan['record'], **common)
        if any(step[0] in ('logout', 'delete') for step in plan['steps']):
            after[key] = {}
        else:
            after[key] = portal_view(node=True, session=True, record=plan['record'], settings=settings, **common)
        if ('set', AUTH_PASSWORD) in plan['steps']:
            after[key]['auth_password'] = '(changed, not shown)'
    return before, after

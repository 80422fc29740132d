# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The host role's input as sessions: the engine's exact sessions, or the hand-written form
(networks and targets) turned into sessions by the same rule the engine follows (pure)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._iscsiadm import split_portal
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._session_plan import (
    BUILT_IN_IFACES, DEFAULT_IFACE, DEFAULT_NETWORK, PlanError, module_sessions)

_NAME = re.compile(r'^(iqn|eui|naa)\.', re.IGNORECASE)
_CIDR = re.compile(r'^[0-9A-Fa-f:.]+/[0-9]{1,3}$')


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


def sessions_from_form(networks, targets):
    """Every target's portals through every network's iface (the engine's pairing), or through
    ``default`` when there are no networks. Raises PlanError naming every bad entry."""
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
            sessions += [dict(binding, address=address, port=port, tpgt=tpgt, target=target['iqn'],
                              username=target.get('username'), password=target.get('password')) for binding in bindings]
    return module_sessions(sessions)


def desired_sessions(sessions, networks=None, targets=None):
    """The role's sessions: ``sessions`` (the engine's) when given, else from networks and targets."""
    if sessions is None:
        return sessions_from_form(networks or [], targets or [])
    if networks or targets:
        raise PlanError(['give either iscsi_paths_sessions or iscsi_paths_networks and iscsi_paths_targets, not both'])
    return module_sessions(sessions)


# The role's numeric settings and their least sensible value (argument_specs checks types only).
MINIMUMS = {
    'iscsi_paths_login_timeout': 1,
    'iscsi_paths_login_retries': 0,
    'iscsi_paths_parallel_logins': 1,
    'iscsi_paths_lock_timeout': 0,
    'iscsi_paths_verify_retries': 0,
    'iscsi_paths_verify_delay': 0,
}


def _at_least(value, low):
    # -e name=value hands over text; argument_specs accepted it as a number already.
    if isinstance(value, bool):
        return False
    try:
        return int(str(value).strip()) >= low and str(int(str(value).strip())) == str(value).strip()
    except ValueError:
        return False


def input_problems(sessions, networks=None, targets=None, settings=None):
    """Every problem of the role's input, as lines naming the input (never a secret); [] when
    the input is good. What the role checks before anything changes on a host."""
    problems = []
    for name, value in sorted((settings or {}).items()):
        low = MINIMUMS.get(name)
        if low is not None and not _at_least(value, low):
            problems.append('%s must be a whole number of at least %d (got %r)' % (name, low, value))
    try:
        desired_sessions(sessions, networks, targets)
    except PlanError as error:
        problems.extend(error.problems)
    return problems

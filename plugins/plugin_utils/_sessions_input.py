# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The host role's input as sessions (``_session``'s form): the engine's exact sessions, or the
hand-written form (networks and targets) turned into sessions by the same rule the engine
follows; and the check of it all on the controller (pure)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._session import PlanError, from_form, passed, problems


def desired_sessions(sessions, networks=None, targets=None):
    """The role's sessions: ``sessions`` (the engine's) as they are, else built from networks and
    targets. Checked by ``input_problems`` on the controller and normalised by the module."""
    if sessions is None:
        return from_form(networks or [], targets or [])
    if networks or targets:
        raise PlanError(['give either iscsi_paths_sessions or iscsi_paths_networks and iscsi_paths_targets, not both'])
    return [passed(s) for s in sessions]


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
    found = []
    for name, value in sorted((settings or {}).items()):
        low = MINIMUMS.get(name)
        if low is not None and not _at_least(value, low):
            found.append('%s must be a whole number of at least %d (got %r)' % (name, low, value))
    try:
        found += problems(desired_sessions(sessions, networks, targets))
    except PlanError as error:
        found += error.problems
    return found

# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the host role and the data-center playbooks; documented in the .yml files beside this one."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

from ansible_collections.ovirt_iscsi.multipath.plugins.plugin_utils._datacenter import (
    DatacenterError, datacenter_hosts, paths_table,
)
from ansible_collections.ovirt_iscsi.multipath.plugins.plugin_utils._paths_report import (
    missing_lines, paths_report, paths_summary, stray_sessions,
)
from ansible_collections.ovirt_iscsi.multipath.plugins.plugin_utils._sessions_input import PlanError, desired_sessions, input_problems


def _datacenter_hosts(bond_info, inventory, rule='address', chap_secrets=None, slice_count=1, disconnect_maintenance=False):
    try:
        return datacenter_hosts(bond_info, inventory, rule, chap_secrets, slice_count, disconnect_maintenance)
    except DatacenterError as error:
        raise AnsibleFilterError(str(error)) from error


def _desired_sessions(sessions, networks=None, targets=None):
    try:
        return desired_sessions(sessions, networks, targets)
    except PlanError as error:
        raise AnsibleFilterError('; '.join(error.problems)) from error


class FilterModule:
    """datacenter_hosts, desired_sessions, missing_lines, paths_summary, input_problems; deprecated (meta/runtime.yml):
    paths_report, stray_sessions, paths_table."""

    def filters(self):
        return {
            'paths_report': paths_report,
            'stray_sessions': stray_sessions,
            'datacenter_hosts': _datacenter_hosts,
            'paths_table': paths_table,
            'desired_sessions': _desired_sessions,
            'missing_lines': missing_lines,
            'paths_summary': paths_summary,
            'input_problems': input_problems,
        }

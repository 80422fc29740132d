# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the composition playbooks (datacenter_paths, retire_network, the demo) and of
datacenter_paths' report; documented in the .yml files beside this one."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.ovirt_iscsi.multipath.plugins.plugin_utils._playbook import (
    host_plan_lines, inventory_addresses, plan_lines, retire_plan, would_be_bonds,
)
from ansible_collections.ovirt_iscsi.multipath.plugins.plugin_utils._report import datacenter_report, report_failure, report_lines
from ansible_collections.ovirt_iscsi.multipath.plugins.plugin_utils._report_html import report_html


class FilterModule:
    """would_be_bonds, inventory_addresses, plan_lines, host_plan_lines, retire_plan,
    datacenter_report, report_lines, report_failure, report_html."""

    def filters(self):
        return {
            'would_be_bonds': would_be_bonds,
            'inventory_addresses': inventory_addresses,
            'plan_lines': plan_lines,
            'host_plan_lines': host_plan_lines,
            'retire_plan': retire_plan,
            'datacenter_report': datacenter_report,
            'report_lines': report_lines,
            'report_failure': report_failure,
            'report_html': report_html,
        }

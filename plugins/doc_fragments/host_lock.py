# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment:
    """The host lock every module that writes iscsiadm or multipath state takes (``_host_lock``)."""

    DOCUMENTATION = r'''
options:
  lock_file:
    description:
      - The host lock that the modules writing iSCSI or multipath state (M(ovirt_iscsi.multipath.iscsi_sessions),
        M(ovirt_iscsi.multipath.iscsi_host_config), M(ovirt_iscsi.multipath.iscsi_target),
        M(ovirt_iscsi.multipath.iscsi_iface)) take in turns, so that two runs on one host never interleave (an
        C(flock), freed by the kernel when its holder ends, however it ends; the file names the holder).
    type: path
    default: /run/ovirt_iscsi_multipath.lock
  lock_timeout:
    description: Seconds to wait for another run on this host to finish before failing with its pid and start time.
    type: int
    default: 300
'''

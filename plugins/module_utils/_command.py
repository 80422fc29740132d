# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one failure shape of the host tools we run (iscsiadm, multipathd)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class CommandError(Exception):
    """A tool call failed; ``msg`` says what it was about, the rest is the command's detail."""

    def __init__(self, msg, *, cmd=None, rc=None, stderr=None):
        super().__init__(msg)
        self.msg = msg
        self.cmd = cmd
        self.rc = rc
        self.stderr = stderr

    def result(self):
        """The keys for ``fail_json``: the message first, the command's detail after."""
        return {'msg': self.msg, 'rc': self.rc, 'stderr': self.stderr, 'cmd': self.cmd}

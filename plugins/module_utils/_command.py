# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The host modules' one error root, the failure shape of the tools they run, and their one end.

Helpers raise ``HostError`` (or a subclass) and never end the module themselves;
``run_host_module`` turns the error into the task's failure once, in ``main()``.
The host modules do not import ``_errors`` (the engine's): it loads the engine SDK,
which a hypervisor need not have.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class HostError(Exception):
    """A failure on the host, meant for the user; ``details`` go into the result beside ``msg``
    (``changed`` and what was already written, when the failure came after a write)."""

    def __init__(self, msg, **details):
        super().__init__(msg)
        self.msg = msg
        self.details = details

    def result(self):
        """The keys for ``fail_json``: the message and the details."""
        return dict(self.details, msg=self.msg)


class CommandError(HostError):
    """A tool call failed; ``msg`` says what it was about, the rest is the command's detail."""

    def __init__(self, msg, *, cmd=None, rc=None, stderr=None):
        super().__init__(msg)
        self.cmd = cmd
        self.rc = rc
        self.stderr = stderr

    def result(self):
        return dict(super().result(), rc=self.rc, stderr=self.stderr, cmd=self.cmd)


def find_command(module, name, package):
    """The path of the tool ``name``; a HostError naming ``package`` when it is not installed."""
    path = module.get_bin_path(name)
    if not path:
        raise HostError('%s was not found on this host: install %s' % (name, package))
    return path


def run_host_module(module, run):
    """``run(module)`` returns the result; a HostError ends the task once, as its failure."""
    try:
        result = run(module)
    except HostError as error:
        module.fail_json(**error.result())
    module.exit_json(**result)

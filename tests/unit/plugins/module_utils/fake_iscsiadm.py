# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A host replayed from the outputs captured in the lab, at the one seam every host command of
the apply path goes through: ``module.run_command`` (iscsiadm, multipathd, multipath, udevadm, ip).
The same object stands for the two sysfs seams the runner writes through: block devices
(``delete_scsi_disk``) and SCSI hosts (``scan``), recorded as calls like the commands.

Every answer is a captured case: ``fixtures/<tool>/<case>.txt``, its ``.stderr.txt`` and its exit
code from ``manifest.json``. What a read answers depends on what the run wrote before it: a
scenario names the case each read answers at first (``reads``) and the case it answers after a
kind of write (``after``: '-m session -P 3' answers session-tree-empty until the first login, then
session-tree). Writes whose output the lab did not capture (a node record's ``-o new``, a
rescan, multipathd's ``add/del path``, ``multipath -f``, ``udevadm settle``) answer rc 0 and
nothing: the runner reads only their exit code. ``ip -o -4 addr show`` (not captured) answers
no address, so no storage NIC shares a subnet (that path has its own tests). A read no scenario
answers fails the test.

Each call is recorded with its kind and the ownership record as it was on disk at that moment,
so a test can tell what was recorded before what was created.
"""

from __future__ import annotations

import json
import os
import threading

import pytest

from ansible_collections.ovirt_iscsi.multipath.tests.unit.plugins.module_utils.host_fixtures import FIXTURES, fixture_text

with open(os.path.join(FIXTURES, 'manifest.json'), encoding='utf-8') as _handle:
    RC = dict(((c['tool'], c['case']), int(c['rc'])) for c in json.load(_handle))

# 'node': the node list (-m node -P 1); 'nodes': every node record in full (-m node -o show).
# 'identities': each disk's identity read again (a rescan of the disk: the kernel reads, nothing is written).
READS = ('iface', 'node', 'nodes', 'session', 'record', 'paths', 'addresses', 'identities')
# The captured answer of each write the lab captured; the others answer rc 0 and nothing.
WRITE_CASES = {'create iface': 'iface-new', 'bind iface': 'iface-update', 'set node': 'node-startup-automatic',
               'delete node': 'node-delete', 'logout': 'logout-session-id', 'delete iface': 'iface-delete', 'login': 'login'}


def captured(tool, case):
    """(rc, stdout, stderr) exactly as the lab's run of that case printed them."""
    if (tool, case) not in RC:
        pytest.fail('%s/%s is not in the manifest of captured outputs' % (tool, case), pytrace=False)
    stderr = os.path.join(FIXTURES, tool, case + '.stderr.txt')
    return RC[(tool, case)], fixture_text(tool, case), fixture_text(tool, case + '.stderr') if os.path.exists(stderr) else ''


def _option(args, name):
    return args[args.index(name) + 1] if name in args else None


def kind_of(cmd):
    """What a command does: one of READS, or the name of a write."""
    tool, args = os.path.basename(cmd[0]), list(cmd[1:])
    if tool == 'ip':
        return 'addresses'
    if tool == 'multipathd':
        return 'paths' if args[:2] == ['show', 'paths'] else 'multipathd %s' % ' '.join(args[:2])
    if tool != 'iscsiadm':
        return '%s %s' % (tool, args[0])
    mode, op = _option(args, '-m'), _option(args, '-o')
    if args in (['-m', 'iface'], ['-m', 'node', '-P', '1'], ['-m', 'session', '-P', '3']):
        return mode
    if args[:4] == ['-m', 'node', '-o', 'show'] and '-T' not in args:
        return 'nodes'
    if '--login' in args:
        return 'login'
    if '-u' in args or '--logout' in args:
        return 'logout'
    if '--rescan' in args:
        return 'rescan'
    if mode == 'iface' and op:
        return {'new': 'create iface', 'update': 'bind iface', 'delete': 'delete iface'}[op]
    if mode == 'node' and op:
        return {'new': 'create node', 'update': 'set node', 'delete': 'delete node'}[op]
    if mode == 'node' and '-T' in args:
        return 'record'
    return 'unknown iscsiadm %s' % ' '.join(args)


class Call:
    def __init__(self, kind, argv, record):
        self.kind, self.argv, self.record = kind, argv, record

    @property
    def write(self):
        return self.kind not in READS

    def __repr__(self):
        return '<%s: %s>' % (self.kind, ' '.join(self.argv[1:]))


class FakeHost:
    """The module seam (run_command, get_bin_path, warn) and the block devices of one host.

    ``reads``: {read kind: case} at first; ``after``: {write kind: {read kind: case}} from that
    write on; ``logins``: {(target, portal, iface): case} (default: the captured successful login);
    ``records``: {target: case} for node record reads (default: node-record)."""

    def __init__(self, reads, *, after=None, logins=None, records=None, record_file=None, identities=None):
        self.reads = dict(reads)
        self.identities = identities or {}
        self.after = after or {}
        self.logins = logins or {}
        self.records = records or {}
        self.record_file = record_file
        self.calls = []
        self.warnings = []
        self._lock = threading.Lock()

    # -- the module seam
    def get_bin_path(self, name, required=False):
        return '/usr/sbin/' + name

    def warn(self, text):
        self.warnings.append(text)

    def run_command(self, cmd, environ_update=None):
        assert (environ_update or {}).get('LC_ALL') == 'C', 'every host command runs in the C locale: %s' % cmd
        kind = kind_of(cmd)
        with self._lock:
            self.calls.append(Call(kind, list(cmd), self._record_on_disk()))
            self.reads.update(self.after.get(kind, {}))
        return self.answer(kind, cmd)

    def answer(self, kind, cmd):
        tool = os.path.basename(cmd[0])
        if kind == 'addresses':
            return 0, '', ''
        if kind == 'login':
            args = cmd[1:]
            portal = _option(args, '-p').rsplit(',', 1)[0]
            return captured('iscsiadm', self.logins.get((_option(args, '-T'), portal, _option(args, '-I')), 'login'))
        if kind == 'record':
            return captured('iscsiadm', self.records.get(_option(cmd[1:], '-T'), 'node-record'))
        if kind in READS:
            if kind not in self.reads:
                pytest.fail('the scenario does not say what %r answers: %s' % (kind, ' '.join(cmd)), pytrace=False)
            return captured('multipathd' if kind == 'paths' else tool, self.reads[kind])
        if kind.startswith('unknown'):
            pytest.fail('a command the fake host does not know: %s' % ' '.join(cmd), pytrace=False)
        return captured(tool, WRITE_CASES[kind]) if kind in WRITE_CASES else (0, '', '')

    def _record_on_disk(self):
        if not self.record_file or not os.path.exists(self.record_file):
            return None
        with open(self.record_file, encoding='utf-8') as handle:
            return json.load(handle)

    # -- block devices (BlockDevices' interface): nothing holds anything open
    def pathless_maps(self):
        return []

    def dm_of_map(self, name):
        return 'dm-' + name

    def holders(self, kernel_name):
        return []

    def delete_scsi_disk(self, disk):
        with self._lock:
            self.calls.append(Call('delete disk', ['sysfs', disk], self._record_on_disk()))

    # -- disk identities (DiskIdentity's interface): {disk: WWID}, unknown (None) unless given
    def read(self, disks, rescan=True):
        with self._lock:
            if rescan and disks:
                self.calls.append(Call('identities', ['sysfs'] + sorted(set(d for d in disks if d)), self._record_on_disk()))
        return dict((d, self.identities.get(d)) for d in disks if d)

    def sectors(self, names):
        return dict((name, None) for name in names)

    def capacity(self, names, rescan=False):
        return dict((name, None) for name in names)  # unknown: no disk of no map reads as a LUN gone

    # -- SCSI hosts (ScsiHosts' interface)
    def scan(self, number):
        with self._lock:
            self.calls.append(Call('scan host', ['sysfs', 'host%d' % number], self._record_on_disk()))

    # -- what the tests ask
    def writes(self):
        return [c for c in self.calls if c.write]

    def kinds(self):
        return [c.kind for c in self.calls]

    def first(self, *kinds):
        """Index of the first call of one of ``kinds`` (None when there is none)."""
        return next((i for i, c in enumerate(self.calls) if c.kind in kinds), None)

    def last(self, *kinds):
        found = [i for i, c in enumerate(self.calls) if c.kind in kinds]
        return found[-1] if found else None


class FakeClock:
    """Stands for the runner's ``time``: sleeping only moves the clock on."""

    def __init__(self):
        self.now = 1000.0
        self.slept = []

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


# The lab's data center as the captures saw it (host1): storage1 and storage2 through ens4
# (iscsi-a) and ens5 (iscsi-b); storage2 with CHAP user labchap. The secret here is a test
# value; the captures never held the lab's.
T1 = 'iqn.2026-11.test.ovirt-iscsi-lab:storage1'
T2 = 'iqn.2026-11.test.ovirt-iscsi-lab:storage2'
SECRET = 'not-the-lab-secret-4711'
A = dict(iface='ens4', net_ifacename='ens4', network='iscsi-a', subnet='198.18.1.0/24', address='198.18.1.1')
B = dict(iface='ens5', net_ifacename='ens5', network='iscsi-b', subnet='198.18.2.0/24', address='198.18.2.1')
CHAP = dict(username='labchap', password=SECRET)
LAB_SESSIONS = [dict(A, target=T1), dict(B, target=T1), dict(A, target=T2, **CHAP), dict(B, target=T2, **CHAP)]
# host2's capture of a login nothing answers (rc 8): storage1 at 198.18.9.1 through the default iface.
UNREACHABLE = dict(iface='default', address='198.18.9.1', target=T1)

# A fresh host: no iface of its own, no node record, no session; once ifaces, node records and
# logins were made, what the lab printed after making them.
FRESH = dict(reads={'iface': 'iface-list-default', 'node': 'node-tree-empty', 'nodes': 'node-dump-empty', 'session': 'session-tree-empty',
                    'paths': 'show-paths-raw'},
             after={'create iface': {'iface': 'iface-list'}, 'create node': {'node': 'node-tree', 'nodes': 'node-dump'},
                    'login': {'session': 'session-tree'}})
# host1 logged in to all four (ifaces, node records and sessions of LAB_SESSIONS).
CONVERGED = dict(reads={'iface': 'iface-list', 'node': 'node-tree', 'nodes': 'node-dump', 'session': 'session-tree', 'paths': 'show-paths-raw'},
                 records={T2: 'node-record-chap'})

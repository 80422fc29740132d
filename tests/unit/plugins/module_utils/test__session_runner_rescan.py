# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The rescan of kept sessions (issue 19): a run with nothing to change runs no rescan process,
and a LUN the target added after login is still found, waited for and reported.

The host is host1 of the lab as captured (fixtures/): storage1 and storage2 through ens4 and
ens5; the desired state keeps storage1's two sessions (SCSI hosts 2 and 4). Every command the
module runs goes through one fake ``run_command`` that answers with the captured output and
records the call; the SCSI hosts' scans go to a fake that records them.
"""

from __future__ import annotations

import errno

import pytest

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils import _session_runner
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._iscsiadm import Iscsiadm
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._lun_scan import SCAN_ALL, ScsiHosts, scan_plan
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._session_plan import key_of, normalize_sessions

from ansible_collections.ovirt_iscsi.multipath.tests.unit.plugins.module_utils.host_fixtures import fixture_text

T1 = 'iqn.2026-11.test.ovirt-iscsi-lab:storage1'
NEW_WWID = '360000000000000000e00000000010003'
DESIRED = normalize_sessions([
    dict(iface='ens4', net_ifacename='ens4', network='iscsi-a', subnet='198.18.1.0/24', address='198.18.1.1', target=T1),
    dict(iface='ens5', net_ifacename='ens5', network='iscsi-b', subnet='198.18.2.0/24', address='198.18.2.1', target=T1),
])
# The values of the captured node records (fixtures/iscsiadm/node-dump.txt): nothing to write.
COMMON = {'node.startup': 'manual', 'node.conn[0].timeo.login_timeout': '15', 'node.session.initial_login_retry_max': '8'}


def with_new_lun(text):
    """The captured session tree after the target added LUN 3 to storage1 (lab lun add): a disk
    more on each of its sessions (SCSI hosts 2 and 4), printed as iscsiadm prints a LUN."""
    for last_disk, host, disk in (('sdb', 2, 'sdg'), ('sde', 4, 'sdh')):
        line = '\t\t\tAttached scsi disk %s\t\tState: running\n' % last_disk
        assert line in text
        text = text.replace(line, line + '\t\tscsi%d Channel 00 Id 0 Lun: 3\n\t\t\tAttached scsi disk %s\t\tState: running\n' % (host, disk))
    return text


def with_new_paths(text):
    """multipathd's path table once it took the new LUN's disks into a map."""
    return text + ''.join('%s|%s|%s|active|ready|running|%d:0:0:3\n' % (NEW_WWID, disk, NEW_WWID, host)
                          for disk, host in (('sdg', 2), ('sdh', 4)))


class FakeHost:
    """The AnsibleModule seen by the runner: captured answers, every command recorded."""

    check_mode = False

    def __init__(self, sessions=None, paths=None):
        # Successive answers to ``iscsiadm -m session -P 3`` and ``multipathd show paths``; the last one repeats.
        self.sessions = list(sessions or [fixture_text('iscsiadm', 'session-tree')])
        self.paths = list(paths or [fixture_text('multipathd', 'show-paths-raw')])
        self.calls = []
        self.warnings = []

    def get_bin_path(self, name, required=False):
        return name

    def warn(self, text):
        self.warnings.append(text)

    @staticmethod
    def _next(answers):
        return answers.pop(0) if len(answers) > 1 else answers[0]

    def run_command(self, cmd, environ_update=None):
        line = ' '.join(cmd)
        self.calls.append(line)
        if line == 'iscsiadm -m iface':
            return 0, fixture_text('iscsiadm', 'iface-list'), ''
        if line == 'iscsiadm -m node -o show --show':
            return 0, fixture_text('iscsiadm', 'node-dump'), ''
        if line == 'iscsiadm -m session -P 3':
            return 0, self._next(self.sessions), ''
        if line.startswith('multipathd show paths raw'):
            return 0, self._next(self.paths), ''
        return 0, '', ''

    def iscsiadm_calls(self):
        return [c[len('iscsiadm '):] for c in self.calls if c.startswith('iscsiadm ')]


class NoIdentity:
    """DiskIdentity's interface: no disk's identity known (none compared)."""

    def read(self, disks, rescan=True):
        return dict((d, None) for d in disks)

    def sectors(self, names):
        return dict((name, None) for name in names)

    def capacity(self, names, rescan=False):
        return dict((name, None) for name in names)  # unknown: no disk of no map reads as a LUN gone


class FakeScsiHosts:
    def __init__(self, failing=()):
        self.scanned = []
        self.failing = failing

    def scan(self, number):
        self.scanned.append(number)
        if number in self.failing:
            raise OSError(errno.ENODEV, 'No such device')


class NoSharedSubnet:
    def converge(self, addresses, bound, check_mode=False):
        return False, {}


@pytest.fixture(autouse=True)
def quick(monkeypatch):
    """No sysctl read or written, and the two-second pause between path reads skipped."""
    monkeypatch.setattr(_session_runner, 'SharedSubnetSettings', NoSharedSubnet)
    monkeypatch.setattr(_session_runner.time, 'sleep', lambda seconds: None)


def converge(module, scsi_hosts, tmp_path, monkeypatch):
    monkeypatch.setattr(_session_runner, 'ScsiHosts', lambda: scsi_hosts)
    monkeypatch.setattr(_session_runner, 'DiskIdentity', NoIdentity)
    options = dict(common_settings=COMMON, engine_owned=False, engine_targets=[T1], host_nics=['ens4', 'ens5'],
                   record_file=str(tmp_path / 'record.json'), parallel_logins=10, wait=60, verify_only=False,
                   shared_subnet_sysctls=False)
    return _session_runner.converge(module, Iscsiadm(module), DESIRED, options=options)


def test_a_run_with_nothing_to_change_runs_no_rescan_process(tmp_path, monkeypatch):
    module, scsi_hosts = FakeHost(), FakeScsiHosts()
    changed, report, plan = converge(module, scsi_hosts, tmp_path, monkeypatch)
    assert not changed and report['state'] == 'operational' and report['new_disks'] == []
    # storage1's two sessions, each its own SCSI host, scanned once; storage2's (not kept) not.
    assert sorted(scsi_hosts.scanned) == [2, 4]
    calls = module.iscsiadm_calls()
    assert [c for c in calls if '--rescan' in c or c.endswith(' -R')] == []
    # The sessions are read once before and once after the scan; that read is the paths' read too.
    assert calls.count('-m session -P 3') == 2
    # Ifaces, every node record in one call (CHAP compared in memory), sessions; sessions again.
    assert calls == ['-m iface', '-m node -o show --show', '-m session -P 3', '-m session -P 3']
    assert sum(c.startswith('multipathd ') for c in module.calls) == 1
    assert not [c for c in module.calls if c.startswith('udevadm')]
    assert report['seconds']['path_reads'] == 1 and report['still_coming'] == []


def test_a_lun_added_on_the_target_is_found_settled_and_waited_for(tmp_path, monkeypatch):
    sessions = fixture_text('iscsiadm', 'session-tree')
    paths = fixture_text('multipathd', 'show-paths-raw')
    module, scsi_hosts = FakeHost(sessions=[sessions, with_new_lun(sessions)], paths=[paths, with_new_paths(paths)]), FakeScsiHosts()
    changed, report, plan = converge(module, scsi_hosts, tmp_path, monkeypatch)
    assert changed and report['new_disks'] == ['sdg', 'sdh']
    assert [c for c in module.calls if c.startswith('udevadm')] == ['udevadm settle --timeout=%d' % _session_runner.UDEV_SETTLE_SECONDS]
    assert [c for c in module.iscsiadm_calls() if '--rescan' in c] == []
    # Out of multipathd's maps at the first read, so the run read the paths again until they came.
    assert report['seconds']['path_reads'] == 2 and report['still_coming'] == []
    new = [lun for lun in report['luns'] if lun['wwid'] == NEW_WWID]
    assert len(new) == 1 and new[0]['active_paths'] == 2 and sorted(new[0]['networks']) == ['iscsi-a', 'iscsi-b']
    assert report['state'] == 'operational'


def runner(module, scsi_hosts):
    return _session_runner.SessionRunner(module, Iscsiadm(module), record_file='/nonexistent', parallel_logins=4, wait=0,
                                         scsi_hosts=scsi_hosts)


def host_of(module, records=None):
    return {'sessions': Iscsiadm(module).sessions(), 'records': records or {}}


def test_a_first_converge_scans_nothing_and_reads_nothing_more():
    module, scsi_hosts = FakeHost(sessions=[fixture_text('iscsiadm', 'session-tree-empty')]), FakeScsiHosts()
    assert runner(module, scsi_hosts).rescan({'sessions': [], 'records': {}}, DESIRED) == ([], None)
    assert scsi_hosts.scanned == [] and module.calls == []


def test_a_session_whose_node_record_asks_for_manual_scans_is_left_alone():
    module, scsi_hosts = FakeHost(), FakeScsiHosts()
    manual = {key_of(DESIRED[1]): {'node.session.scan': 'manual'}, key_of(DESIRED[0]): {'node.session.scan': 'auto'}}
    new, sessions = runner(module, scsi_hosts).rescan(host_of(module, manual), DESIRED)
    assert scsi_hosts.scanned == [2] and new == [] and sessions


def test_a_session_printed_without_its_host_number_is_rescanned_by_iscsiadm():
    text = fixture_text('iscsiadm', 'session-tree').replace('\t\tHost Number: 4\tState: running\n', '')
    module, scsi_hosts = FakeHost(sessions=[text]), FakeScsiHosts()
    runner(module, scsi_hosts).rescan(host_of(module), DESIRED)
    assert scsi_hosts.scanned == [2]
    assert [c for c in module.iscsiadm_calls() if 'rescan' in c] == ['-m session -r 4 --rescan']


def test_a_scan_that_fails_is_a_warning_naming_the_session():
    module, scsi_hosts = FakeHost(), FakeScsiHosts(failing=(4,))
    new, dummy = runner(module, scsi_hosts).rescan(host_of(module), DESIRED)
    assert new == [] and sorted(scsi_hosts.scanned) == [2, 4]
    assert module.warnings == ['rescan of SCSI host 4 (%s at 198.18.2.1:3260 through ens5) failed: No such device' % T1]


def test_scan_plan_takes_only_logged_in_sessions_of_the_desired_state():
    sessions = Iscsiadm(FakeHost(sessions=[fixture_text('iscsiadm', 'session-tree-cut')])).sessions()
    hosts, no_host, manual = scan_plan(sessions, DESIRED, {})
    assert no_host == [] and manual == []
    # iscsi-b cut: the ens5 session is in recovery and is not scanned (its scan would block).
    assert [(n, [s['iface'] for s in group]) for n, group in sorted(hosts.items())] == [(2, ['ens4'])]


def test_scsi_hosts_write_what_iscsiadm_writes_to_the_hosts_scan_attribute(tmp_path):
    (tmp_path / 'host7').mkdir()
    (tmp_path / 'host7' / 'scan').write_text('')
    ScsiHosts(str(tmp_path)).scan(7)
    assert (tmp_path / 'host7' / 'scan').read_text() == SCAN_ALL
    with pytest.raises(OSError):
        ScsiHosts(str(tmp_path)).scan(8)

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A LUN the target stopped serving: told apart from an outage and from a LUN still coming, on the
lab's captured session tree and path table; released or refused by the runner."""

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils import _session_runner
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._host_report import OPERATIONAL, host_report, join_paths
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._iscsiadm import parse_session_tree
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._lun_unserved import mapless_disks, unserved_luns, unserved_plan
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._multipath import parse_paths
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._session_plan import key_of, normalize_sessions

from ansible_collections.ovirt_iscsi.multipath.tests.unit.plugins.module_utils.fake_iscsiadm import LAB_SESSIONS
from ansible_collections.ovirt_iscsi.multipath.tests.unit.plugins.module_utils.host_fixtures import fixture_text
from ansible_collections.ovirt_iscsi.multipath.tests.unit.plugins.module_utils.test__target_release import fake_host

# storage1's LUN 2 (sdb through ens4, sde through ens5) beside its LUN 1 on the same sessions.
LUN2 = '360000000000000000e00000000010002'
LUN1 = '360000000000000000e00000000010001'
DESIRED = set(key_of(s) for s in normalize_sessions(LAB_SESSIONS))


def luns_with(states):
    """The captured paths with ``states`` {device: (dm state, checker state)} put in."""
    lines = []
    for line in fixture_text('multipathd', 'show-paths-raw').splitlines():
        fields = line.split('|')
        if fields[1] in states:
            fields[3], fields[4] = states[fields[1]]
        lines.append('|'.join(fields))
    return join_paths(parse_session_tree(fixture_text('iscsiadm', 'session-tree')), parse_paths('\n'.join(lines) + '\n'))


UNMAPPED = {'sdb': ('failed', 'faulty'), 'sde': ('failed', 'faulty')}


def test_a_lun_faulty_on_every_path_of_sessions_that_carry_another_lun_is_unserved():
    assert [lun['wwid'] for lun in unserved_luns(luns_with(UNMAPPED), DESIRED)] == [LUN2]


def test_nothing_is_unserved_on_a_healthy_host():
    assert unserved_luns(luns_with({}), DESIRED) == []


def test_a_whole_target_down_is_an_outage_not_an_unmapped_lun():
    down = dict((d, ('failed', 'faulty')) for d in ('sda', 'sdb', 'sdd', 'sde'))
    assert unserved_luns(luns_with(down), DESIRED) == []


def test_a_lun_with_one_path_left_or_paths_still_coming_is_not_unserved():
    assert unserved_luns(luns_with({'sdb': ('failed', 'faulty')}), DESIRED) == []
    assert unserved_luns(luns_with({'sdb': ('failed', 'faulty'), 'sde': ('failed', 'i/o pending')}), DESIRED) == []


def test_a_lun_of_sessions_that_are_not_the_collections_is_left_alone():
    theirs = set(k for k in DESIRED if not k[0].endswith(':storage1'))
    assert unserved_luns(luns_with(UNMAPPED), theirs) == []


def test_the_plan_deletes_the_disks_of_an_idle_lun_and_refuses_one_held_naming_the_holder(tmp_path):
    luns = luns_with(UNMAPPED)
    idle = unserved_plan(luns, DESIRED, fake_host(tmp_path / 'idle', {LUN2: 'dm-1'}, holders={'sdb': ['dm-1'], 'sde': ['dm-1']}))
    assert idle == [{'wwid': LUN2, 'map': LUN2, 'target': 'iqn.2026-11.test.ovirt-iscsi-lab:storage1', 'disks': ['sdb', 'sde'],
                     'refused': None}]
    held = unserved_plan(luns, DESIRED, fake_host(tmp_path / 'held', {LUN2: 'dm-1'}, openers={4711: ('fio', 'dm-1')}))
    assert held[0]['refused'] == ('refused to flush the map of LUN %s, which its target no longer serves: map %s (%s) is held: '
                                  'open by fio (pid 4711); nothing of it was changed' % (LUN2, LUN2, LUN2))


class Module:
    def __init__(self, flush_rc=0):
        self.calls, self.warnings, self.flush_rc = [], [], flush_rc

    def get_bin_path(self, name, required=False):
        return '/usr/sbin/' + name

    def run_command(self, cmd, environ_update=None):
        self.calls.append(' '.join(cmd))
        return (self.flush_rc, '', 'map in use') if cmd[1:2] == ['-f'] else (0, '', '')

    def warn(self, text):
        self.warnings.append(text)


class Devices:
    def __init__(self, held=False, maps=None, pathless=()):
        self.deleted, self.held = [], held
        self.maps = {LUN2} if maps is None else maps
        self.pathless = list(pathless)

    def pathless_maps(self):
        return [name for name in self.pathless if name in self.maps]

    def dm_of_map(self, name):
        return 'dm-1' if name in self.maps else None

    def holders(self, kernel_name):
        return ['open by fio (pid 4711)'] if self.held and kernel_name == 'dm-1' else []

    def delete_scsi_disk(self, disk):
        self.deleted.append(disk)
        if disk in ('sdg', 'sdh') and LUN3 in self.maps:
            self.pathless = [LUN3]  # the map those disks left now has no path


class Identity:
    """The disks' capacities as the lab's sysfs showed them (after their rescan)."""

    def __init__(self, sizes=None):
        self.sizes, self.calls = sizes or {}, []

    def capacity(self, names, rescan=False):
        self.calls.append((list(names), rescan))
        return dict((name, self.sizes.get(name)) for name in names)


def runner(module, devices, identity=None):
    return _session_runner.SessionRunner(module, None, record_file='/nonexistent', parallel_logins=1, wait=0, devices=devices,
                                         identity=identity or Identity())


def test_the_runner_flushes_the_map_before_deleting_its_disks_and_touches_no_other_lun():
    module, devices = Module(), Devices()
    run = runner(module, devices)
    entries = run.release_unserved(luns_with(UNMAPPED), normalize_sessions(LAB_SESSIONS))
    # Queueing off first: I/O queued on the map (udev's probe) fails and lets go of it, then the flush.
    assert module.calls == ['/usr/sbin/multipathd disablequeueing map %s' % LUN2, '/usr/sbin/multipath -f %s' % LUN2]
    assert devices.deleted == ['sdb', 'sde']
    assert [e['released'] for e in entries] == [True] and run.changed and module.warnings == []


def test_the_runner_changes_nothing_of_a_held_lun_and_warns_naming_the_holder():
    module, devices = Module(), Devices(held=True)
    run = runner(module, devices)
    entries = run.release_unserved(luns_with(UNMAPPED), normalize_sessions(LAB_SESSIONS))
    assert module.calls == [] and devices.deleted == [] and not run.changed
    assert entries[0]['released'] is False and module.warnings == [entries[0]['refused']] and 'fio (pid 4711)' in module.warnings[0]


def test_a_flush_that_fails_keeps_the_disks_and_says_why():
    module, devices = Module(flush_rc=1), Devices()
    entries = runner(module, devices).release_unserved(luns_with(UNMAPPED), normalize_sessions(LAB_SESSIONS))
    assert devices.deleted == [] and entries[0]['released'] is False
    assert module.warnings == [entries[0]['refused']] and 'map in use' in entries[0]['refused']


# storage1's LUN 3 removed on the target, its map flushed by hand, its disks rescanned
# (tests/lab/capture-lun-fixtures): sdg and sdh are multipathd's orphans and read no capacity.
LUN3 = '360000000000000000e00000000010003'
STORAGE1 = 'iqn.2026-11.test.ovirt-iscsi-lab:storage1'


def orphaned_luns(sdg_in_map=False, unknown=False):
    """The captured orphans; ``sdg_in_map``: sdg still in the LUN's map, faulty (the moment between
    multipathd's checker and its taking the path out, on a path's rescan); ``unknown``: multipathd
    no longer lists sdg and sdh at all."""
    paths = fixture_text('luns/multipathd', 'show-paths-raw-unmapped-orphans')
    if unknown:
        paths = ''.join(line for line in paths.splitlines(True) if not line.startswith(LUN3))
    if sdg_in_map:
        paths = paths.replace('%s|sdg|[orphan]|undef|undef|unknown|' % LUN3, '%s|sdg|%s|failed|faulty|running|' % (LUN3, LUN3))
        assert '|sdg|%s|failed' % LUN3 in paths
    return join_paths(parse_session_tree(fixture_text('luns/iscsiadm', 'session-tree-unmapped-orphans')), parse_paths(paths))


def captured_sizes():
    return dict((line.split()[0], int(line.split()[1])) for line in fixture_text('luns/sysfs', 'size-unmapped-orphans').splitlines())


def test_the_disks_of_no_map_on_live_sessions_are_the_ones_whose_capacity_is_read():
    assert mapless_disks(orphaned_luns(), DESIRED) == ['sdg', 'sdh']
    # A healthy host has none, so a run reads (and rescans) nothing more.
    assert mapless_disks(luns_with({}), DESIRED) == []


def test_a_lun_whose_map_is_gone_and_whose_disks_read_no_capacity_is_unserved():
    assert [lun['wwid'] for lun in unserved_luns(orphaned_luns(), DESIRED, captured_sizes())] == [LUN3]


def test_disks_of_no_map_that_still_have_a_capacity_are_left_alone():
    """A new LUN whose map is still coming, or a disk the kernel did not read again: not unserved."""
    before_rescan = dict(captured_sizes(), sdg=131072, sdh=131072)
    assert unserved_luns(orphaned_luns(), DESIRED, before_rescan) == []
    assert unserved_luns(orphaned_luns(), DESIRED, dict(captured_sizes(), sdh=None)) == []
    assert unserved_luns(orphaned_luns(), DESIRED) == []


def test_disks_of_no_map_on_sessions_that_are_not_the_collections_are_left_alone():
    theirs = set(k for k in DESIRED if not k[0].endswith(':storage1'))
    assert mapless_disks(orphaned_luns(), theirs) == []
    assert unserved_luns(orphaned_luns(), theirs, captured_sizes()) == []


def test_the_runner_rescans_the_disks_of_no_map_then_deletes_them_with_no_flush():
    module, devices, identity = Module(), Devices(), Identity(captured_sizes())
    run = runner(module, devices, identity)
    entries = run.release_unserved(orphaned_luns(), normalize_sessions(LAB_SESSIONS))
    assert identity.calls == [(['sdg', 'sdh'], True)]
    assert module.calls == [] and devices.deleted == ['sdg', 'sdh'] and run.changed
    assert entries == [{'wwid': LUN3, 'map': None, 'target': 'iqn.2026-11.test.ovirt-iscsi-lab:storage1', 'disks': ['sdg', 'sdh'],
                        'refused': None, 'released': True}]


def test_the_runner_deletes_no_disk_something_holds_and_names_the_holder():
    class HeldDisk(Devices):
        def holders(self, kernel_name):
            return ['open by dd (pid 4242)'] if kernel_name == 'sdh' else []

    module, devices = Module(), HeldDisk()
    entries = runner(module, devices, Identity(captured_sizes())).release_unserved(orphaned_luns(), normalize_sessions(LAB_SESSIONS))
    assert devices.deleted == [] and entries[0]['released'] is False
    assert module.warnings == [entries[0]['refused']]
    assert entries[0]['refused'] == ('refused to delete the disks of LUN %s, which its target no longer serves: disk sdh (%s) is held: '
                                     'open by dd (pid 4242); nothing of it was changed' % (LUN3, LUN3))


def test_a_host_left_with_such_disks_is_operational_once_they_are_named_unserved():
    """What the lab showed before this: host2 non operational over a LUN that no longer exists."""
    luns, desired = orphaned_luns(), normalize_sessions(LAB_SESSIONS)
    sessions = parse_session_tree(fixture_text('luns/iscsiadm', 'session-tree-unmapped-orphans'))
    assert host_report(luns, sessions, desired)['luns_without_path'] == [LUN3]
    unserved = [lun['wwid'] for lun in unserved_luns(luns, set(key_of(s) for s in desired), captured_sizes())]
    report = host_report(luns, sessions, desired, unserved=unserved)
    assert report['state'] == OPERATIONAL and report['luns_without_path'] == []


def test_a_map_its_disks_left_is_still_the_luns_map_flushed_first_or_refused_when_held():
    """In the lab multipathd took host1's paths of the LUN out of its map on their rescan (another
    WWID: tgtd's LUN 0 designator) while fio held that map: deleting the disks alone left a held map
    that no report named."""
    module, devices = Module(), Devices(held=True, maps={LUN3})
    entries = runner(module, devices, Identity(captured_sizes())).release_unserved(orphaned_luns(), normalize_sessions(LAB_SESSIONS))
    assert devices.deleted == [] and module.calls == [] and entries[0]['map'] == LUN3 and entries[0]['released'] is False
    assert entries[0]['refused'].startswith('refused to flush the map of LUN %s' % LUN3) and 'fio (pid 4711)' in entries[0]['refused']
    module, devices = Module(), Devices(maps={LUN3})
    entries = runner(module, devices, Identity(captured_sizes())).release_unserved(orphaned_luns(), normalize_sessions(LAB_SESSIONS))
    assert module.calls == ['/usr/sbin/multipathd disablequeueing map %s' % LUN3, '/usr/sbin/multipath -f %s' % LUN3]
    assert devices.deleted == ['sdg', 'sdh'] and entries[0]['released'] is True


def test_a_lun_with_one_path_faulty_in_its_map_and_one_out_of_it_with_no_capacity_is_unserved():
    luns = orphaned_luns(sdg_in_map=True)
    assert mapless_disks(luns, DESIRED) == ['sdh']
    assert [(lun['wwid'], lun['map']) for lun in unserved_luns(luns, DESIRED, {'sdh': 0})] == [(LUN3, LUN3)]
    assert unserved_luns(luns, DESIRED, {'sdh': 131072}) == []


def test_a_map_left_with_no_path_is_refused_while_held_and_flushed_once_free():
    """The lab's case (CI, lun-unmapped): multipathd no longer knew the disks (keyed unknown here),
    so nothing tied them to the map that fio held; once they are deleted the map has no path."""
    luns = orphaned_luns(unknown=True)
    assert mapless_disks(luns, DESIRED) == ['sdg', 'sdh']
    module, devices = Module(), Devices(held=True, maps={LUN3})
    entries = runner(module, devices, Identity(captured_sizes())).release_unserved(luns, normalize_sessions(LAB_SESSIONS))
    assert devices.deleted == ['sdg', 'sdh'] and module.calls == []
    assert [(e['map'], e['target'], e['released']) for e in entries] == [(None, STORAGE1, True), (None, STORAGE1, True), (LUN3, None, False)]
    assert module.warnings == [entries[-1]['refused']]
    assert entries[-1]['refused'].startswith('refused to flush map %s, which has no path left: map %s' % (LUN3, LUN3)) and 'fio' in entries[-1]['refused']
    module, devices = Module(), Devices(maps={LUN3}, pathless=[LUN3])
    entries = runner(module, devices, Identity()).release_unserved(orphaned_luns(), normalize_sessions(LAB_SESSIONS), known_maps=[])
    assert module.calls == ['/usr/sbin/multipathd disablequeueing map %s' % LUN3, '/usr/sbin/multipath -f %s' % LUN3]
    assert [(e['map'], e['released']) for e in entries] == [(LUN3, True)]


def test_a_map_another_part_of_the_run_handles_is_not_taken_twice():
    module, devices = Module(), Devices(maps={LUN3}, pathless=[LUN3])
    assert runner(module, devices, Identity()).release_unserved(orphaned_luns(), normalize_sessions(LAB_SESSIONS), known_maps=[LUN3]) == []
    assert module.calls == []


def test_pathless_maps_are_the_multipath_maps_with_no_slave(tmp_path):
    devices = fake_host(tmp_path, {LUN3: 'dm-3', LUN2: 'dm-2', 'vg-lv': 'dm-4'})
    sys_block = tmp_path / 'sys'
    for dm, uuid in (('dm-3', 'mpath-' + LUN3), ('dm-2', 'mpath-' + LUN2), ('dm-4', 'LVM-abc')):
        (sys_block / dm / 'dm' / 'uuid').write_text(uuid + '\n')
        (sys_block / dm / 'slaves').mkdir()
    (sys_block / 'dm-2' / 'slaves' / 'sdb').write_text('')
    assert devices.pathless_maps() == [LUN3]

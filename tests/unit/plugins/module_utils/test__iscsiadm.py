# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Parsers and runner of module_utils/_iscsiadm.py."""

from __future__ import annotations

import pytest

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils import _iscsiadm
from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._command import HostError
from ansible_collections.ovirt_iscsi.multipath.tests.unit.plugins.module_utils.host_fixtures import fixture_text

# Printed by `iscsiadm -m iface` (open-iscsi 2.1.8, Debian 12) on the build machine after
# `iscsiadm -m iface -I zztest -o new`.
IFACE_LIST_LOCAL = """zztest tcp,<empty>,<empty>,<empty>,<empty>
default tcp,<empty>,<empty>,<empty>,<empty>
iser iser,<empty>,<empty>,<empty>,<empty>
"""


def test_iface_list_parses_every_iface_and_empties():
    ifaces = _iscsiadm.parse_iface_list(IFACE_LIST_LOCAL)
    assert sorted(ifaces) == ['default', 'iser', 'zztest']
    assert ifaces['zztest'] == {'name': 'zztest', 'transport': 'tcp', 'hwaddress': '', 'ipaddress': '',
                                'net_ifacename': '', 'initiatorname': ''}
    assert ifaces['iser']['transport'] == 'iser'


def test_iface_list_of_lab_guest_has_bound_ifaces():
    ifaces = _iscsiadm.parse_iface_list(fixture_text('iscsiadm', 'iface-list'))
    bound = {name: i['net_ifacename'] for name, i in ifaces.items() if i['net_ifacename']}
    assert bound, 'the captured list should show at least one bound iface'
    for name, netdev in bound.items():
        assert netdev.startswith('ens') and ifaces[name]['transport'] == 'tcp'


def test_iface_list_warns_about_lines_it_does_not_know():
    warnings = []
    ifaces = _iscsiadm.parse_iface_list('broken line without commas\n' + IFACE_LIST_LOCAL, warn=warnings.append)
    assert len(ifaces) == 3
    assert warnings == ["iscsiadm -m iface: unparsed line 'broken line without commas'"]


def test_record_parser_reads_iface_record():
    record = _iscsiadm.parse_record(fixture_text('iscsiadm', 'iface-record'))
    assert record['iface.transport_name'] == 'tcp'
    assert record['iface.net_ifacename'].startswith('ens')
    assert record['iface.ipaddress'] == ''


def test_record_parser_reads_node_record_with_masked_secret():
    record = _iscsiadm.parse_record(fixture_text('iscsiadm', 'node-record'))
    assert record['node.name'].startswith('iqn.2026-11.test.ovirt-iscsi-lab:')
    assert record['node.startup'] in ('automatic', 'manual')
    assert record['node.session.auth.password'] in ('', '********')


@pytest.mark.parametrize('text, expected', [
    ('198.18.1.1:3260,1', ('198.18.1.1', 3260, 1)),
    ('198.18.1.1', ('198.18.1.1', 3260, None)),
    ('198.18.1.1:3261', ('198.18.1.1', 3261, None)),
    ('[fd00::1]:3260,1', ('fd00::1', 3260, 1)),
    ('[fd00::1]', ('fd00::1', 3260, None)),
    ('fd00::1', ('fd00::1', 3260, None)),
    ('storage.example:3260', ('storage.example', 3260, None)),
])
def test_split_portal_user_input(text, expected):
    assert _iscsiadm.split_portal(text) == expected


def test_split_portal_printed_ipv6_without_brackets_takes_last_port():
    assert _iscsiadm.split_portal('fd00::1:3260,1', printed=True) == ('fd00::1', 3260, 1)


@pytest.mark.parametrize('text', ['', '[fd00::1', '198.18.1.1:port', 'a b:3260'])
def test_split_portal_rejects_garbage(text):
    with pytest.raises(ValueError, match='not an iSCSI portal'):
        _iscsiadm.split_portal(text)


def test_format_portal_brackets_ipv6_only():
    assert _iscsiadm.format_portal('198.18.1.1', 3260) == '198.18.1.1:3260'
    assert _iscsiadm.format_portal('fd00::1', 3260) == '[fd00::1]:3260'
    assert _iscsiadm.format_portal('[fd00::1]', 3261) == '[fd00::1]:3261'


def test_node_args_select_one_record_by_target_portal_iface():
    node = {'target': 'iqn.x:t', 'address': 'fd00::1', 'port': 3260, 'tpgt': 1, 'iface': 'ens4'}
    assert _iscsiadm.node_args(node) == ['-m', 'node', '-T', 'iqn.x:t', '-p', '[fd00::1]:3260,1', '-I', 'ens4']
    assert _iscsiadm.node_args(dict(node, tpgt=None))[5] == '[fd00::1]:3260'


def test_discovery_output_lists_every_portal_of_every_target():
    nodes = _iscsiadm.parse_flat_nodes(fixture_text('iscsiadm', 'discovery-sendtargets'))
    assert nodes
    assert all(n['port'] == 3260 and n['tpgt'] is not None and n['target'].startswith('iqn.') for n in nodes)
    assert len({n['target'] for n in nodes}) >= 2


def test_flat_nodes_ipv6_and_warning():
    warnings = []
    nodes = _iscsiadm.parse_flat_nodes('[fd00::1]:3260,1 iqn.x:t\nnonsense\n', warn=warnings.append)
    assert nodes == [{'target': 'iqn.x:t', 'address': 'fd00::1', 'port': 3260, 'tpgt': 1}]
    assert len(warnings) == 1


def test_node_tree_gives_one_record_per_iface():
    nodes = _iscsiadm.parse_node_tree(fixture_text('iscsiadm', 'node-tree'))
    assert nodes
    ifaces = {n['iface'] for n in nodes}
    assert ifaces and all(i.startswith('ens') or i == 'default' for i in ifaces)
    for node in nodes:
        assert set(node) == {'target', 'address', 'port', 'tpgt', 'iface'}
        assert node['address'].startswith('198.18.')


def test_session_tree_links_sessions_to_ifaces_and_disks():
    sessions = _iscsiadm.parse_session_tree(fixture_text('iscsiadm', 'session-tree'))
    assert len(sessions) >= 2
    for session in sessions:
        assert isinstance(session['sid'], int)
        assert session['session_state'] == 'LOGGED_IN'
        assert session['address'].startswith('198.18.') and session['port'] == 3260
        # LUN 0 is tgtd's controller: a SCSI device without a disk.
        assert [d['disk'] for d in session['devices'] if d['lun'] == 0] == [None]
        disks = [d for d in session['devices'] if d['lun'] > 0]
        assert disks, 'every lab session carries LUNs'
        for device in disks:
            assert device['disk'].startswith('sd') and device['state'] == 'running'
    assert len({s['sid'] for s in sessions}) == len(sessions)
    assert {s['iface'] for s in sessions} == {'ens4', 'ens5'}
    assert all(s['netdev'] == s['iface'] for s in sessions)
    disks = [d['disk'] for s in sessions for d in s['devices'] if d['disk']]
    assert len(disks) == len(set(disks)), 'a disk belongs to exactly one session'


def test_session_tree_with_a_cut_network_shows_the_sessions_in_recovery():
    sessions = _iscsiadm.parse_session_tree(fixture_text('iscsiadm', 'session-tree-cut'))
    states = {(s['iface'], s['session_state']) for s in sessions}
    assert ('ens4', 'LOGGED_IN') in states
    assert {state for iface, state in states if iface == 'ens5'} <= {'FAILED', 'FREE'}
    assert any(iface == 'ens5' for iface, state in states)


def test_session_tree_through_the_default_iface():
    sessions = _iscsiadm.parse_session_tree(fixture_text('iscsiadm', 'session-tree-default-iface'))
    (session,) = [s for s in sessions if s['address'] == '198.18.0.1']
    assert (session['iface'], session['netdev'], session['ipaddress']) == ('default', 'default', '198.18.0.12')


SESSION_TREE_MINIMAL = """Target: iqn.x:t (non-flash)
\tCurrent Portal: [fd00::1]:3260,1
\tPersistent Portal: [fd00::1]:3260,1
\t\t**********
\t\tInterface:
\t\t**********
\t\tIface Name: ens4
\t\tIface Netdev: <empty>
\t\tSID: 7
\t\tiSCSI Connection State: TRANSPORT WAIT
\t\tiSCSI Session State: FAILED
\t\t************************
\t\tAttached SCSI devices:
\t\t************************
\t\tHost Number: 3\tState: running
\t\tscsi3 Channel 00 Id 0 Lun: 0
\t\tscsi3 Channel 00 Id 0 Lun: 1
\t\t\tAttached scsi disk sdc\t\tState: transport-offline
"""


def test_session_tree_failed_session_ipv6_and_lun_without_disk():
    (session,) = _iscsiadm.parse_session_tree(SESSION_TREE_MINIMAL)
    assert (session['sid'], session['iface'], session['netdev']) == (7, 'ens4', '')
    assert (session['address'], session['port'], session['tpgt']) == ('fd00::1', 3260, 1)
    assert session['session_state'] == 'FAILED'
    assert session['host_number'] == 3
    assert [(d['hctl'], d['disk'], d['state']) for d in session['devices']] == [
        ('3:0:0:0', None, None), ('3:0:0:1', 'sdc', 'transport-offline')]


class FakeModule:
    """Only what Iscsiadm uses: get_bin_path and run_command, scripted per call."""

    def __init__(self, replies, installed=True):
        self.replies = list(replies)
        self.calls = []
        self.installed = installed

    def get_bin_path(self, name, required=False):
        assert not required  # a missing tool is the helper's HostError, not the module's exit
        return '/usr/sbin/' + name if self.installed else None

    def run_command(self, cmd, environ_update=None):
        self.calls.append((cmd, environ_update))
        return self.replies.pop(0)


def test_missing_iscsiadm_is_a_host_error_naming_the_package():
    with pytest.raises(HostError, match='iscsiadm was not found on this host: install open-iscsi'):
        _iscsiadm.Iscsiadm(FakeModule([], installed=False))


def test_runner_uses_c_locale_and_argument_lists():
    module = FakeModule([(0, IFACE_LIST_LOCAL, '')])
    assert 'zztest' in _iscsiadm.Iscsiadm(module).ifaces()
    cmd, env = module.calls[0]
    assert cmd == ['/usr/sbin/iscsiadm', '-m', 'iface']
    assert env['LC_ALL'] == 'C'


def test_runner_reads_rc_21_as_nothing():
    module = FakeModule([(21, '', 'iscsiadm: No active sessions.\n'), (21, '', 'iscsiadm: No records found\n')])
    runner = _iscsiadm.Iscsiadm(module)
    assert runner.sessions() == []
    assert runner.nodes() == []


def test_runner_error_names_what_failed_with_last_stderr_line():
    module = FakeModule([(8, '', 'iscsiadm: connect to 198.18.1.1 timed out\niscsiadm: connection login retries (reopen_max) 5 exceeded\n')])
    with pytest.raises(_iscsiadm.IscsiadmError) as caught:
        _iscsiadm.Iscsiadm(module).run(['-m', 'discovery'], what='discovery at portal 198.18.1.1:3260 through iface ens4')
    assert caught.value.msg == ('discovery at portal 198.18.1.1:3260 through iface ens4 failed (iscsiadm rc 8): '
                                'iscsiadm: connection login retries (reopen_max) 5 exceeded')
    assert caught.value.result()['rc'] == 8
    assert isinstance(caught.value, HostError) and caught.value.result()['msg'] == caught.value.msg


def test_session_tree_two_sessions_to_one_portal_are_two_sessions():
    # iscsiadm prints a portal only when it changes: storage1 at 198.18.1.1 through ens4 and
    # through default shares one 'Current Portal' line, and each session its Interface block.
    for case in ('session-tree-same-portal', 'session-tree-same-portal-p1'):
        sessions = _iscsiadm.parse_session_tree(fixture_text('iscsiadm', case))
        same = [s for s in sessions if s['address'] == '198.18.1.1']
        assert sorted(s['iface'] for s in same) == ['default', 'ens4'], case
        assert len({s['sid'] for s in sessions}) == len(sessions) == 3, case
        assert all(s['port'] == 3260 and s['tpgt'] == 1 and s['target'].endswith(':storage1') for s in same)
    sessions = _iscsiadm.parse_session_tree(fixture_text('iscsiadm', 'session-tree-same-portal'))
    disks = {s['iface'] + ' ' + s['address']: sorted(d['disk'] for d in s['devices'] if d['disk']) for s in sessions}
    assert all(disks.values()), disks
    every = [d for ds in disks.values() for d in ds]
    assert len(every) == len(set(every)), 'a disk belongs to exactly one session: %s' % disks


def test_record_dump_gives_the_nodes_of_the_tree_each_with_its_record():
    dump = _iscsiadm.parse_record_dump(fixture_text('iscsiadm', 'node-dump'))
    tree = _iscsiadm.parse_node_tree(fixture_text('iscsiadm', 'node-tree-logged-in'))
    assert sorted(sorted(node.items()) for node, dummy in dump) == sorted(sorted(node.items()) for node in tree)
    single = _iscsiadm.parse_record(fixture_text('iscsiadm', 'node-record'))
    for node, record in dump:
        assert set(record) == set(single), 'every record in full, as one node record prints'
        assert record['node.name'] == node['target'] and record['iface.iscsi_ifacename'] == node['iface']
    chap = [record for node, record in dump if node['target'].endswith(':storage2')]
    assert len(chap) == 2
    assert all(r['node.session.auth.authmethod'] == 'CHAP' and r['node.session.auth.password'] == '********' for r in chap)


def test_record_dump_leaves_out_a_record_it_cannot_select_and_says_so():
    text = fixture_text('iscsiadm', 'node-dump')
    broken = text.replace('node.conn[0].address = 198.18.1.1\n', 'node.conn[0].address = <empty>\n', 1)
    warnings = []
    dump = _iscsiadm.parse_record_dump(broken + 'stray line\n', warn=warnings.append)
    assert len(dump) == len(_iscsiadm.parse_record_dump(text)) - 1
    assert warnings == ['iscsiadm -m node -o show: a record without node.conn[0].address',
                        "iscsiadm -m node -o show: unparsed line 'stray line'"]

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""multipathd's running configuration: parser, user_friendly_names, queueing (captured on the lab)."""

from __future__ import annotations

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils import _multipath_config as mc
import os

from ansible_collections.ovirt_iscsi.multipath.tests.unit.plugins.module_utils.host_fixtures import FIXTURES, fixture_text


def local(name):
    return mc.parse_config(fixture_text('host-config/multipathd', name))


def planted_dropin():
    with open(os.path.join(FIXTURES, 'host-config', 'files', 'zz-lessons-iet.conf'), encoding='utf-8') as handle:
        return handle.read()


def test_converged_configuration_has_no_user_friendly_names_and_queues_as_documented():
    tree = local('show-config-local')
    assert [node['section'] for node in tree] == ['defaults', 'blacklist', 'blacklist_exceptions', 'devices', 'overrides', 'multipaths']
    assert mc.user_friendly_names_on(tree) == []
    scopes, warnings = mc.queueing(tree, no_path_retry=16, polling_interval=5)
    assert [(s['scope'], s['seconds']) for s in scopes] == [('defaults', 80), ('overrides', 80)]
    assert warnings == []


def test_drop_in_device_section_is_found_and_named_by_its_file():
    tree = local('show-config-local-iet-ufn')
    found = mc.user_friendly_names_on(tree)
    assert found == [{'section': 'devices/device', 'identity': {'vendor': 'IET', 'product': 'VIRTUAL-DISK'}}]
    files = {'/etc/multipath.conf': 'defaults {\n    user_friendly_names no\n}\n',
             '/etc/multipath/conf.d/zz-lessons-iet.conf': planted_dropin()}
    named = mc.files_setting(found, files)
    assert named[0]['files'] == ['/etc/multipath/conf.d/zz-lessons-iet.conf']
    message = mc.refusal(named)
    assert 'devices/device (product "VIRTUAL-DISK" vendor "IET") in /etc/multipath/conf.d/zz-lessons-iet.conf' in message


def test_overrides_win_over_the_device_section_that_queues_for_ever():
    scopes, warnings = mc.queueing(local('show-config-local-iet-ufn'), no_path_retry=16, polling_interval=5)
    device = [s for s in scopes if s['scope'].startswith('devices/device')]
    # The drop-in says queue, the role's overrides say 16: multipathd applies 16 x 5 s.
    assert [(s['no_path_retry'], s['seconds']) for s in device] == [('16', 80)]
    assert warnings == []


def test_queueing_against_another_documented_value_and_queue_for_ever():
    tree = mc.parse_config('defaults {\n\tpolling_interval 5\n\tno_path_retry "queue"\n}\ndevices {\n\tdevice {\n'
                           '\t\tvendor "X"\n\t\tno_path_retry "fail"\n\t}\n}\n')
    scopes, warnings = mc.queueing(tree, no_path_retry=16, polling_interval=5)
    assert [(s['scope'], s['seconds']) for s in scopes] == [('defaults', None), ('devices/device (vendor "X")', 0)]
    assert 'queues for ever' in warnings[0] and '16 x 5 s = 80 s' in warnings[0]
    assert 'fails I/O at once' in warnings[1]


def test_a_file_no_longer_holding_it_is_said_so():
    named = mc.files_setting([{'section': 'defaults', 'identity': {}}], {'/etc/multipath.conf': 'defaults {\n}\n'})
    assert named[0]['files'] == []
    assert 'no file holds it now' in mc.refusal(named)


def test_blacklist_and_comments_are_not_settings():
    tree = mc.parse_config('blacklist {\n  device {\n    user_friendly_names yes\n  }\n}\n'
                           'defaults {\n  user_friendly_names no # yes\n  alias_prefix "a#b"\n}\n')
    assert mc.user_friendly_names_on(tree) == []
    assert tree[1]['children'] == [{'key': 'user_friendly_names', 'value': 'no'}, {'key': 'alias_prefix', 'value': 'a#b'}]


def test_stray_brace_warns():
    warnings = []
    mc.parse_config('}\ndefaults {\n}\n', warn=warnings.append)
    assert warnings == ['multipath configuration line 1: "}" closes no section']


CONF = 'defaults {\n    no_path_retry 16\n    recheck_wwid yes\n}\n'


def test_a_keyword_the_running_multipathd_knows_is_kept_and_one_it_does_not_is_left_out():
    running = fixture_text('host-config/multipathd', 'show-config-local')  # the lab's multipath-tools 0.9.4
    assert 'recheck_wwid' in running
    assert mc.without_unknown(CONF, running) == CONF
    # An older multipathd (before 0.8.6) lists no recheck_wwid: the line goes, the rest stays as written.
    older = '\n'.join(line for line in running.splitlines() if 'recheck_wwid' not in line)
    assert mc.without_unknown(CONF, older) == 'defaults {\n    no_path_retry 16\n}\n'
    assert mc.without_unknown(CONF, None) == CONF, 'multipathd not answering (a first run): written as asked'

# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""iscsid.conf's tuning block and where multipath's configuration goes."""

from __future__ import annotations

import pytest

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._host_config import (
    BLOCK_BEGIN, BLOCK_END, multipath_files, unit_states, with_block)

from ansible_collections.ovirt_iscsi.multipath.tests.unit.plugins.module_utils.host_fixtures import fixture_text

DEBIAN_HEAD = 'node.startup = manual\nnode.session.timeo.replacement_timeout = 120\n'
TUNED = {'node.session.timeo.replacement_timeout': '1', 'node.conn[0].timeo.noop_out_interval': '1'}


def test_a_new_block_goes_at_the_end_and_a_second_run_changes_nothing():
    once = with_block(DEBIAN_HEAD, TUNED)
    assert once.startswith(DEBIAN_HEAD) and once.rstrip().endswith(BLOCK_END)
    assert 'node.session.timeo.replacement_timeout = 1\n' in once
    assert with_block(once, TUNED) == once


def test_the_block_the_earlier_blockinfile_task_wrote_is_replaced_in_place_not_doubled():
    earlier = DEBIAN_HEAD + BLOCK_BEGIN + '\nnode.session.timeo.replacement_timeout = 2\n' + BLOCK_END + '\n# after\n'
    updated = with_block(earlier, TUNED)
    assert updated.count(BLOCK_BEGIN) == 1 and updated.endswith('# after\n')
    assert 'replacement_timeout = 2' not in updated


def test_no_settings_removes_the_block_and_leaves_the_rest():
    assert with_block(with_block(DEBIAN_HEAD, TUNED), {}) == DEBIAN_HEAD


def test_vdsm_owned_multipath_conf_gets_only_the_drop_in():
    args = dict(conf_path='/etc/multipath.conf', conf_content='defaults {}\n', dropin_path='/etc/multipath/conf.d/x.conf',
                dropin_content='overrides {}\n')
    assert multipath_files('# VDSM REVISION 2.2\n', **args) == {'/etc/multipath/conf.d/x.conf': 'overrides {}\n'}
    no_dropin = dict(args)
    no_dropin['dropin_content'] = ''
    assert multipath_files('# VDSM REVISION 2.2\n', **no_dropin) == {'/etc/multipath/conf.d/x.conf': None}
    assert multipath_files(None, **args) == {'/etc/multipath.conf': 'defaults {}\n'}


def test_unit_states_reads_one_systemctl_show_of_every_service_captured_on_the_lab():
    running = fixture_text('systemctl', 'show-services')
    assert unit_states(['iscsid', 'multipathd'], running) == [('iscsid', True, True), ('multipathd', True, True)]
    stopped = fixture_text('systemctl', 'show-services-stopped')
    assert unit_states(['iscsid', 'multipathd', 'no-such-unit'], stopped) == [
        ('iscsid', False, False), ('multipathd', False, False), ('no-such-unit', False, False)]


def test_unit_states_matches_blocks_by_position_so_an_alias_keeps_the_name_asked():
    # systemctl show multipath-tools prints multipathd.service's Id: the name asked is kept.
    assert unit_states(['multipath-tools'], fixture_text('systemctl', 'show-services').split('\n\n')[1]) == [
        ('multipath-tools', True, True)]


def test_unit_states_refuses_output_it_cannot_match_to_the_services():
    with pytest.raises(ValueError, match='printed 2 unit'):
        unit_states(['iscsid'], fixture_text('systemctl', 'show-services'))
    with pytest.raises(ValueError, match='printed 0 unit'):
        unit_states(['iscsid'], '')

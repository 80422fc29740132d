# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The captured-output loader the parser tests share."""

from __future__ import annotations

import pytest

from ansible_collections.ovirt_iscsi.multipath.tests.unit.plugins.module_utils.host_fixtures import fixture_text


def test_a_missing_capture_fails_the_test_instead_of_skipping_it():
    with pytest.raises(pytest.fail.Exception, match='no captured output iscsiadm/no-such-case.txt'):
        fixture_text('iscsiadm', 'no-such-case')


def test_a_present_capture_is_read_as_text():
    assert fixture_text('iscsiadm', 'iface-list-default')

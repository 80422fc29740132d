# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The role's input check: every problem named, numbers given as text taken."""

from __future__ import annotations

from ansible_collections.ovirt_iscsi.multipath.plugins.plugin_utils._sessions_input import input_problems


def test_input_problems_name_each_bad_setting_and_entry_and_take_numbers_given_as_text():
    sessions = [{'address': '198.18.1.1', 'target': 'iqn.2026-11.example:t1'}]
    assert input_problems(sessions, settings={'iscsi_paths_login_timeout': '15', 'iscsi_paths_lock_timeout': 0}) == []
    assert input_problems(sessions, settings={'iscsi_paths_login_timeout': '1.5', 'iscsi_paths_parallel_logins': True,
                                              'iscsi_paths_login_retries': -1}) == [
        "iscsi_paths_login_retries must be a whole number of at least 0 (got -1)",
        "iscsi_paths_login_timeout must be a whole number of at least 1 (got '1.5')",
        "iscsi_paths_parallel_logins must be a whole number of at least 1 (got True)"]
    assert input_problems([{'address': '', 'target': 't'}]) == ['sessions[0] has no address']

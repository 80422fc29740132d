# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Outputs of iscsiadm and multipathd captured on the lab's Debian 12 guests (see fixtures/README)."""

from __future__ import annotations

import os

import pytest

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'fixtures')


def fixture_text(tool, name):
    """The captured output ``fixtures/<tool>/<name>.txt``. A missing one fails the test that
    asks for it: skipping would let a parser go untested while the stage still says passed."""
    path = os.path.join(FIXTURES, tool, name + '.txt')
    if not os.path.exists(path):
        pytest.fail('no captured output %s: capture it on the lab (tests/lab/capture-fixtures)'
                    % os.path.relpath(path, FIXTURES), pytrace=False)
    with open(path, encoding='utf-8') as handle:
        return handle.read()

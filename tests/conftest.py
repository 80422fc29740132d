# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures shared by every test tree under tests/ (unit, engine_sim/tests)."""

import pytest

from engine_sim import harness  # importable by name: tests/pytest.ini's pythonpath


@pytest.fixture(scope='session', name='engine_sim')
def fixture_engine_sim():
    """The engine simulator's harness (tests/engine_sim/harness.py): `Simulator(seed=...)` as a
    context manager, `make_seed()`, `DEFAULT_SEED`, `DEFAULT_PASSWORDS`, `SimulatorError`."""
    return harness

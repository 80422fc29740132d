# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures: a simulator per test module (or per test for destructive ones), and SDK connections."""

import pytest

from simhelp import Names, connect


@pytest.fixture(scope='module')
def sim(engine_sim):
    with engine_sim.Simulator() as running:
        yield running


@pytest.fixture()
def fresh_sim(engine_sim):
    with engine_sim.Simulator() as running:
        yield running


@pytest.fixture()
def admin(sim):  # pylint: disable=redefined-outer-name
    connection = connect(sim)
    yield connection
    connection.close()


@pytest.fixture()
def names(admin):  # pylint: disable=redefined-outer-name
    return Names(admin)

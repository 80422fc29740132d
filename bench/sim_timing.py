#!/usr/bin/env python
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Wall-clock figures of the engine simulator, moved here from its tests (which keep only the
behaviour: it starts, a hang ends in the client's timeout, a big seed loads):

- ``sim_start_s``: start to ready (HTTPS answering) with the default seed. Goal: < 4 s.
- ``sim_start_200_hosts_s``: the same with a seed of 200 hosts, 3 networks, 4 connections,
  2 bonds (harness.make_seed). Goal: < 5 s.
- ``sim_hang_to_client_timeout_s``: a request the simulator hangs 3 s, from an SDK connection
  with a 1 s timeout: seconds until the SDK raises. Goal: < 2.5 s.

Each is the median of RUNS runs. Run with the project's environment:
``source scripts/env.sh && bench/sim_timing.py``.
"""

import os
import statistics
import sys
import time

import ovirtsdk4 as sdk

import benchlib

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
harness = benchlib.engine_sim()
RUNS = 5


def start_seconds(seed=None):
    """Seconds from start to ready; the simulator stopped again."""
    started = time.monotonic()
    sim = harness.Simulator(seed=seed).start()
    elapsed = time.monotonic() - started
    sim.stop()
    return elapsed


def hang_seconds():
    """Seconds until a 1 s client timeout ends a request the simulator hangs 3 s."""
    with harness.Simulator() as sim:
        connection = sdk.Connection(url=sim.url, username='admin@internal', password=sim.password('admin@internal'),
                                    ca_file=sim.ca_file, timeout=1)
        try:
            connection.system_service().get()
            sim.add_fault(path='/datacenters', hang=3)
            started = time.monotonic()
            try:
                connection.system_service().data_centers_service().list()
            except sdk.Error:
                return time.monotonic() - started
            raise RuntimeError('the hung request did not time out')
        finally:
            connection.close()


def main():
    big = harness.make_seed(hosts=200, networks=3, connections=4, bonds=2)
    start = statistics.median(start_seconds() for dummy in range(RUNS))
    start_big = statistics.median(start_seconds(big) for dummy in range(RUNS))
    hang = statistics.median(hang_seconds() for dummy in range(RUNS))
    benchlib.report('sim_timing', [
        benchlib.metric('sim_start_s', round(start, 2), 's', '< 4'),
        benchlib.metric('sim_start_200_hosts_s', round(start_big, 2), 's', '< 5'),
        benchlib.metric('sim_hang_to_client_timeout_s', round(hang, 2), 's', '< 2.5'),
    ])
    return 0


if __name__ == '__main__':
    sys.exit(main())

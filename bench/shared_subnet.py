#!/usr/bin/env python
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Storage NICs sharing one subnet: paths and per-NIC traffic with the role's ARP and reverse-path
settings and without them, side by side in one run.

Runs tests/e2e/shared-subnet --measure (a lab of two guests of the shared-subnet layout, strict
reverse-path filtering as on RHEL, two bonds of one network and one portal each; see that script)
and turns what it measured into the table and bench/results/shared_subnet.json:
  shared_subnet_paths_expected            active paths through the NIC that stays up (ens5), settings on
  shared_subnet_paths_surviving_cut       of those, active while the other NIC (ens4) is cut, settings on
  shared_subnet_paths_surviving_cut_off   the same with the settings off (iscsi_paths_shared_subnet_sysctls: false)
and, as references, the active paths through ens5 before the cut with the settings off, fio's
errors in each half, and each NIC's bytes against its own sessions' iSCSI octets over 15 s of fio.
`--measured FILE` makes the table from a scenario run's measurements instead of running it again.

Measured 2026-12-01 13:13-13:18 (bench/results/shared_subnet.json, from the run of
tests/e2e/shared-subnet --measure that passed then): with the settings, ens5 kept 3 of its 3 paths
while ens4 was cut, 0 fio errors; each NIC carried its own sessions' octets and no more (ens4
40792 KiB for 40372, ens5 42360 KiB for 42039). Without them, under strict reverse-path filtering,
ens5's 3 established sessions still carried I/O (29648 KiB) and all 3 died the moment ens4 was cut.
Our reading, not proven here: replies to an established socket skip the filter while its cached
input route holds (TCP early demux); the cut invalidates it, the full lookup's route to the subnet
goes by ens4, and strict filtering drops what arrives on ens5. A host that looks redundant loses every path of the subnet with its first NIC. fio saw
0 errors only because the cut was restored within multipath's queueing time.
"""

import os
import sys

import benchlib

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def measure():
    """The scenario's measurements, from a run of tests/e2e/shared-subnet of our own; None if it failed."""
    return benchlib.scenario('shared_subnet', 'shared-subnet', {
        'OVIRT_ISCSI_LAB_NAMESPACE': 'ovirt-iscsi-bench-shared',
        'SHARED_SUBNET_LOGS': os.path.join(TOP, 'tests', 'output', 'bench-shared-subnet')})


def main():
    measured = benchlib.measurements(__doc__.splitlines()[0], 'a run of tests/e2e/shared-subnet --measure FILE', measure)
    if measured is None:
        return 1
    metrics = [
        benchlib.metric('shared_subnet_paths_expected', measured['paths_expected'], 'paths', '> 0'),
        benchlib.metric('shared_subnet_paths_surviving_cut', measured['paths_surviving_cut'], 'paths',
                        '== shared_subnet_paths_expected'),
        benchlib.metric('shared_subnet_paths_surviving_cut_off', measured['paths_surviving_cut_off'], 'paths', 'reference'),
        benchlib.metric('shared_subnet_paths_expected_off', measured['paths_expected_off'], 'paths', 'reference'),
        benchlib.metric('shared_subnet_fio_errors', measured['fio_errors_on'], 'errors', '== 0'),
        benchlib.metric('shared_subnet_fio_errors_off', measured['fio_errors_off'], 'errors', 'reference'),
    ]
    for window in measured['traffic']:
        suffix = '' if window['label'] == 'settings on' else '_off'
        for nic in sorted(k for k in window if k != 'label'):
            metrics.append(benchlib.metric('shared_subnet_%s_kib%s' % (nic, suffix), window[nic]['nic_bytes'] >> 10, 'KiB', 'reference'))
            metrics.append(benchlib.metric('shared_subnet_%s_own_sessions_kib%s' % (nic, suffix),
                                           window[nic]['session_octets'] >> 10, 'KiB', 'reference'))
    benchlib.report('shared_subnet', metrics)
    return 0


if __name__ == '__main__':
    sys.exit(main())

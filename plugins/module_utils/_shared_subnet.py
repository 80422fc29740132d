# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Storage NICs that share one subnet: the ARP and reverse-path settings VDSM sets on them.

With two NICs in one subnet the kernel has two routes to it and uses the first for everything
it decides by route: it answers ARP for both addresses on both NICs (ARP flux), announces with
whichever address, and strict reverse-path filtering (rp_filter=1, RHEL's default) drops every
reply that arrives on the second NIC, since the route back to its sender goes by the first. The
iSCSI sessions bound to the second NIC then never log in, or fail over to the first. VDSM sets
arp_ignore=1 and arp_announce=2 on such NICs (vdsm/network/sysctl.py); loose reverse-path
filtering (2) keeps the replies (the effective value is the maximum of ``all`` and the NIC's).

Live values go to /proc/sys, persistent ones to a sysctl.d file of this collection's own, which
also keeps what each value was before, so that the settings are undone when no shared subnet
remains.
"""

from __future__ import annotations

import ipaddress
import os
import re

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._command import CommandError, find_command

SYSCTL_FILE = '/etc/sysctl.d/90-ovirt-iscsi-multipath-shared-subnet.conf'
PROC_CONF = '/proc/sys/net/ipv4/conf'
# (key, value) set on every NIC that shares a subnet with another bound NIC.
SETTINGS = (('arp_ignore', '1'), ('arp_announce', '2'), ('rp_filter', '2'))
HEADER = ('# Managed by ovirt_iscsi.multipath (iscsi_sessions): storage NICs sharing a subnet.\n'
          '# Removed, with the values below restored, when no bound NIC shares a subnet any more.\n')
BEFORE = re.compile(r'^# before: (\S+) (\S+) (\S+)$')


def shared_subnets(addresses, bound):
    """{subnet: [nic, ...]} of the subnets that two or more ``bound`` NICs have an address in.

    ``addresses``: {nic: ['198.18.4.11/24', ...]} (IPv4 with prefix); NICs not bound are ignored.
    """
    by_subnet = {}
    for nic in sorted(set(bound)):
        for address in addresses.get(nic, ()):
            subnet = str(ipaddress.ip_interface(address).network)
            by_subnet.setdefault(subnet, [])
            if nic not in by_subnet[subnet]:
                by_subnet[subnet].append(nic)
    return dict((subnet, nics) for subnet, nics in sorted(by_subnet.items()) if len(nics) > 1)


def desired_settings(subnets):
    """{(nic, key): value} for every NIC of a shared subnet."""
    return dict(((nic, key), value) for nics in subnets.values() for nic in nics for key, value in SETTINGS)


def parse_file(text):
    """(settings {(nic, key): value}, before {(nic, key): value}) from this collection's sysctl file."""
    settings, before = {}, {}
    for line in (text or '').splitlines():
        match = BEFORE.match(line.strip())
        if match:
            before[(match.group(1), match.group(2))] = match.group(3)
            continue
        if line.startswith('#') or '=' not in line:
            continue
        name, value = (part.strip() for part in line.split('=', 1))
        parts = name.split('/')
        if len(parts) == 5 and parts[:3] == ['net', 'ipv4', 'conf']:
            settings[(parts[3], parts[4])] = value
    return settings, before


def render_file(settings, before):
    """The sysctl.d file: slash-separated names, as a NIC name may hold a dot (a VLAN)."""
    lines = [HEADER]
    for (nic, key), value in sorted(before.items()):
        lines.append('# before: %s %s %s\n' % (nic, key, value))
    for (nic, key), value in sorted(settings.items()):
        lines.append('net/ipv4/conf/%s/%s = %s\n' % (nic, key, value))
    return ''.join(lines)


def plan_settings(subnets, current_live, file_settings, file_before):
    """What to write: (live {(nic, key): value}, new file settings, new before).

    A NIC that no longer shares a subnet gets back its value from before (if it still exists);
    a value is recorded as 'before' only the first time this collection changes it.
    """
    wanted = desired_settings(subnets)
    before = dict((k, v) for k, v in file_before.items() if k in wanted)
    live = {}
    for item, value in wanted.items():
        if item not in before and item in current_live:
            before[item] = file_before.get(item, current_live[item])
        if current_live.get(item) != value and item in current_live:
            live[item] = value
    for item in file_settings:
        if item not in wanted and item in file_before and item in current_live and current_live[item] != file_before[item]:
            live[item] = file_before[item]
    return live, wanted, before


class SharedSubnetSettings:
    """Reads and writes the live and persistent values (paths injectable for tests)."""

    def __init__(self, proc_conf=PROC_CONF, sysctl_file=SYSCTL_FILE):
        self.proc_conf = proc_conf
        self.sysctl_file = sysctl_file

    def read_live(self, nics):
        values = {}
        for nic in nics:
            for key, dummy in SETTINGS:
                try:
                    with open(os.path.join(self.proc_conf, nic, key), encoding='ascii') as handle:
                        values[(nic, key)] = handle.read().strip()
                except OSError:
                    pass  # not a NIC of this host (any more): nothing to set or restore
        return values

    def read_file(self):
        try:
            with open(self.sysctl_file, encoding='utf-8') as handle:
                return parse_file(handle.read())
        except FileNotFoundError:
            return {}, {}

    def converge(self, addresses, bound, check_mode=False):
        """Set, persist or undo; returns (changed, report)."""
        subnets = shared_subnets(addresses, bound)
        file_settings, file_before = self.read_file()
        nics = set(nic for nics in subnets.values() for nic in nics) | set(nic for nic, dummy in file_settings)
        live, wanted, before = plan_settings(subnets, self.read_live(sorted(nics)), file_settings, file_before)
        content = render_file(wanted, before) if wanted else None
        file_changes = (content is not None) != bool(file_settings or file_before) or (
            content is not None and (wanted, before) != (file_settings, file_before))
        if not check_mode:
            for (nic, key), value in sorted(live.items()):
                with open(os.path.join(self.proc_conf, nic, key), 'w', encoding='ascii') as handle:
                    handle.write(value)
            if file_changes:
                self._write_file(content)
        report = {
            'subnets': subnets,
            'nics': sorted(set(nic for nic, dummy in wanted)),
            'set_live': dict(('%s.%s' % item, value) for item, value in sorted(live.items())),
            'file': self.sysctl_file if wanted else None,
        }
        return bool(live) or file_changes, report

    def _write_file(self, content):
        if content is None:
            if os.path.exists(self.sysctl_file):
                os.unlink(self.sysctl_file)
            return
        os.makedirs(os.path.dirname(self.sysctl_file), exist_ok=True)
        temporary = self.sysctl_file + '.tmp'
        with open(temporary, 'w', encoding='utf-8') as handle:
            handle.write(content)
        os.chmod(temporary, 0o644)
        os.replace(temporary, self.sysctl_file)


def nic_addresses(module):
    """{nic: ['addr/prefix', ...]} of the host's IPv4 addresses (``ip -o -4 addr show``)."""
    binary = find_command(module, 'ip', 'iproute2')
    rc, out, err = module.run_command([binary, '-o', '-4', 'addr', 'show'], environ_update={'LC_ALL': 'C', 'LANG': 'C'})
    if rc != 0:
        raise CommandError('reading the host\'s addresses failed: %s' % (err or out).strip(), cmd=[binary, '-o', '-4', 'addr', 'show'],
                           rc=rc, stderr=err)
    return parse_ip_addr(out)


def parse_ip_addr(text):
    """``ip -o -4 addr show`` lines ('2: ens4    inet 198.18.4.11/24 brd ... scope global ens4') -> {nic: [cidr]}."""
    addresses = {}
    for line in text.splitlines():
        words = line.split()
        if len(words) >= 4 and words[2] == 'inet':
            nic = words[1].split('@', 1)[0]
            addresses.setdefault(nic, []).append(words[3])
    return addresses

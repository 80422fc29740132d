# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Writes fixtures/manifest.json and fixtures/README.md from capture-fixtures' records.

usage: python3 fixtures_readme.py MANIFEST_LINES FIXTURES_DIR RUN_DIR SECRET_FILE
"""

import json
import os
import sys

HEADER = """# Captured tool outputs (real runs in the lab)

Written by `tests/lab/capture-fixtures` on a freshly booted lab (`tests/lab/lab up`); do not edit
by hand, capture again. Each case is `<tool>/<case>.txt` (stdout exactly as printed, no header)
and, when the tool wrote to stderr, `<tool>/<case>.stderr.txt`. `manifest.json` holds the same
table for tests: command, exit code, guest, note.

Guest: {distro}, kernel {kernel}; {versions}.
Target: tgtd {tgt} (userspace, in the lab's namespace), portals 198.18.N.1:3260.
Network: host1 and host2 have ens3 (ovirtmgmt 198.18.0.0/24), ens4 (iscsi-a 198.18.1.0/24),
ens5 (iscsi-b 198.18.2.0/24), ens6 (iscsi-c 198.18.3.0/24). Ifaces are named after their NIC, as
VDSM names them. `multipath.conf` during the multipath cases: `user_friendly_names no`,
`find_multipaths no`, blacklist `^vd[a-z]` (Debian's own default is `find_multipaths strict`).
The "-cut" cases: `tests/lab/lab cut iscsi-b --host host1` (tap and guest link down).

CHAP: {chap}

Exit codes seen: 0 success, 15 session exists (login again), 21 no records / no session,
24 authorization failure (wrong CHAP secret); others as listed.

| tool/case | host | rc | command | note |
| --- | --- | --- | --- | --- |
"""


def main(manifest_lines, out, run_dir, secret_file):
    """Write manifest.json and README.md; the CHAP note says how iscsiadm showed the password."""
    with open(manifest_lines, encoding='utf-8') as handle:
        cases = [json.loads(line) for line in handle if line.strip()]
    for case in cases:
        case['rc'] = int(case['rc'])
    with open(os.path.join(out, 'manifest.json'), 'w', encoding='utf-8') as handle:
        json.dump(cases, handle, indent=1, sort_keys=True)
        handle.write('\n')
    with open(os.path.join(run_dir, 'state.json'), encoding='utf-8') as handle:
        state = json.load(handle)
    packages = {}
    pkg_file = os.path.join(os.path.dirname(state['data_dir']), _image_dir(state), 'packages.txt')
    if os.path.exists(pkg_file):
        with open(pkg_file, encoding='utf-8') as handle:
            packages = dict(line.split(' ', 1) for line in handle.read().splitlines() if ' ' in line)
    with open(os.path.join(out, 'iscsiadm', 'node-record-chap.txt'), encoding='utf-8') as handle:
        password_lines = [line.strip() for line in handle if line.startswith('node.session.auth.password ')]
    with open(secret_file, encoding='ascii') as handle:
        secret = handle.read().strip()
    if any(secret in line for line in password_lines) or any('LAB_CHAP_SECRET' in line for line in password_lines):
        chap = 'iscsiadm printed the CHAP password in clear in `-m node ... -o show` (replaced here).'
    else:
        chap = ('`iscsiadm -m node -T IQN -p PORTAL -I IFACE` shows the password as %s (masked), '
                'also right after it was set (see iscsiadm/node-record-chap.txt).' % ', '.join(
                    '`%s`' % line for line in password_lines))
    versions = ', '.join('%s %s' % (name, packages.get(name, '?')) for name in (
        'open-iscsi', 'multipath-tools', 'sg3-utils', 'udev'))
    text = HEADER.format(distro='Debian 12 (bookworm)', kernel=_kernel(packages), versions=versions,
                         tgt=_host_tgt_version(), chap=chap)
    for case in cases:
        text += '| %s/%s | %s | %d | `%s` | %s |\n' % (
            case['tool'], case['case'], case['host'], case['rc'],
            ' '.join(case['command'].split()).replace('|', '\\|'), case['note'].replace('|', '\\|'))
    with open(os.path.join(out, 'README.md'), 'w', encoding='utf-8') as handle:
        handle.write(text)


def _image_dir(state):
    """The image the guests booted, from a qemu command line in the run's pid files."""
    for info in state['hosts'].values():
        try:
            with open('/proc/%d/cmdline' % info['qemu_pid'], 'rb') as handle:
                args = handle.read().decode().split('\0')
        except OSError:
            continue
        kernel = args[args.index('-kernel') + 1]
        return os.path.basename(os.path.dirname(kernel))
    return ''


def _kernel(packages):
    return ', '.join('%s %s' % (name, version) for name, version in sorted(packages.items())
                     if name.startswith('linux-image-')) or '?'


def _host_tgt_version():
    try:
        with open('/var/lib/dpkg/status', encoding='utf-8') as handle:
            blocks = handle.read().split('\n\n')
    except OSError:
        return '?'
    for block in blocks:
        if block.startswith('Package: tgt\n'):
            for line in block.splitlines():
                if line.startswith('Version: '):
                    return line.split(' ', 1)[1]
    return '?'


if __name__ == '__main__':
    main(*sys.argv[1:5])

#!/usr/bin/env python
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Ansible inventory script: the running lab's inventory (tests/lab/lab inventory), else empty.

Molecule links its inventory once, before `create` brings the lab up; a script answers with
whatever lab runs at the time each playbook starts.
"""

import json
import os
import subprocess
import sys

import yaml

# realpath: molecule calls this script through a symlink in its own directory.
TOP = os.path.abspath(os.path.join(os.path.dirname(os.path.realpath(__file__)), '..', '..', '..'))


def lab_inventory_path():
    proc = subprocess.run([os.path.join(TOP, 'tests', 'lab', 'lab'), 'inventory'], capture_output=True, text=True, check=False)
    path = proc.stdout.strip().splitlines()[-1] if proc.returncode == 0 and proc.stdout.strip() else ''
    return path if path and os.path.exists(path) else None


def to_script_format(inventory):
    """YAML inventory (all: vars, children: group: hosts: name: vars) -> inventory script JSON."""
    out = {'_meta': {'hostvars': {}}, 'all': {'vars': {}, 'children': []}}
    top = inventory.get('all') or {}
    out['all']['vars'] = top.get('vars') or {}
    for group, body in (top.get('children') or {}).items():
        hosts = (body or {}).get('hosts') or {}
        out[group] = {'hosts': sorted(hosts)}
        out['all']['children'].append(group)
        for host, host_vars in hosts.items():
            out['_meta']['hostvars'].setdefault(host, {}).update(host_vars or {})
    return out


def main():
    if '--host' in sys.argv:
        print('{}')
        return 0
    path = lab_inventory_path()
    inventory = {}
    if path:
        with open(path, encoding='utf-8') as handle:
            inventory = yaml.safe_load(handle) or {}
    print(json.dumps(to_script_format(inventory), indent=1, sort_keys=True))
    return 0


if __name__ == '__main__':
    sys.exit(main())

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Writes a job's inventory the way AWX does for one slice of a sliced job.

    python awx_inventory.py SEED GROUP NUMBER COUNT OUT

As AWX (awx/main/models/inventory.py, Inventory.get_script_data and get_sliced_hosts;
awx/main/tasks/jobs.py, write_inventory_file): the inventory's hosts ordered by name, slice
NUMBER of COUNT takes every COUNTth from offset NUMBER-1, groups keep only that slice's
hosts, and the file is an executable script that prints the inventory as JSON. The hosts are
the engine simulator's seed's (SEED, JSON), named as the engine names them, each with its
address as ansible_host, in group GROUP. No localhost: AWX inventories rarely hold it, so the
playbook's localhost plays run on Ansible's implicit localhost, as in AWX.
Prints the slice's host names, one a line.
"""

import json
import os
import sys


def engine_hosts(seed):
    return [h for dc in seed['data_centers'] for c in dc.get('clusters') or [] for h in c.get('hosts') or []]


def sliced(names, number, count):
    """AWX's get_sliced_hosts on a queryset ordered by name."""
    names = sorted(names)
    return names[number - 1::count] if count > 1 and number > 0 else names


def script_data(hosts, group, number, count):
    address = dict((h['name'], h['address']) for h in hosts)
    names = sliced(address, number, count)
    return {
        'all': {'children': [group]},
        group: {'hosts': names},
        '_meta': {'hostvars': dict((n, {'ansible_host': address[n]}) for n in names)},
    }


def main(seed_path, group, number, count, out):
    with open(seed_path, encoding='utf-8') as handle:
        seed = json.load(handle)
    data = script_data(engine_hosts(seed), group, int(number), int(count))
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, 'w', encoding='utf-8') as handle:
        handle.write('#! /usr/bin/env python3\n# -*- coding: utf-8 -*-\nprint(%r)\n' % json.dumps(data))
    os.chmod(out, 0o700)
    print('\n'.join(data[group]['hosts']))


if __name__ == '__main__':
    main(*sys.argv[1:])

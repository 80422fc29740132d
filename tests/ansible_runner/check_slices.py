# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Checks what the slices of a sliced datacenter_paths job left, together.

    python check_slices.py SEED SIM_LOG BOND COUNT ARTIFACTS:SLICE_HOSTS...

SEED: the engine simulator's seed (JSON); SIM_LOG: its stderr with ENGINE_SIM_LOG=1 (one
'"METHOD PATH HTTP/1.1" STATUS' line a request); per slice, its job's artifacts directory and a
file naming its inventory's hosts (awx_inventory.py's output). Fails (exit 1) unless:
- each slice's set_stats report holds exactly its own hosts, names none as missing from the
  inventory, names every other slice's host as in other slices, says COUNT slices, and fails
  none of them (the host play is skipped by its tag: every host is 'skipped');
- the slices together cover every engine host once;
- the simulator created bond BOND once (one POST .../iscsibonds answered 201) and no write
  (POST, PUT, DELETE answered 2xx) was made twice;
- the slices raced for the bond: each sent its create, and all but one were refused with 409.
  Without the race the other checks say nothing about slices running at once. Positive control:
  the same log without its refused creates (as if one slice had created the bond before the
  others looked) must fail this check.
Prints one summary line.
"""

import json
import re
import sys

from check_artifacts import stats_data

_LINE = re.compile(r'^engine_sim: "(GET|POST|PUT|DELETE|HEAD) (\S+) HTTP/[0-9.]+" (\d{3})')


def requests(log_path):
    with open(log_path, encoding='utf-8', errors='replace') as handle:
        return [m.groups() for m in (_LINE.match(line) for line in handle) if m]


def bond_creates(api):
    """The statuses of the bond creates (POST .../iscsibonds) the simulator answered."""
    return [status for method, path, status in api if method == 'POST' and path.endswith('/iscsibonds')]


def race_problems(api, bond, count):
    """The slices raced for the bond: COUNT creates sent, all but one refused with 409."""
    statuses = bond_creates(api)
    if len(statuses) == count and statuses.count(409) == count - 1:
        return []
    return ['the slices did not race for bond %s: %d creates sent, %d refused with 409, expected %d and %d '
            '(each slice must post its create while the first is held)' % (bond, len(statuses), statuses.count(409), count, count - 1)]


def write_problems(lines, bond, count):
    """Problems with the writes the simulator answered, and a few words on them."""
    api = [(method, path.split('?')[0], int(status)) for method, path, status in lines if '/ovirt-engine/api/' in path]
    writes = [(method, path) for method, path, status in api if method != 'GET' and 200 <= status < 300]
    creates = [w for w in writes if w[0] == 'POST' and w[1].endswith('/iscsibonds')]
    problems = []
    if len(creates) != 1:
        problems.append('bond %s: %d successful creates, expected 1' % (bond, len(creates)))
    problems += ['written twice: %s %s' % w for w in sorted(set(w for w in writes if writes.count(w) > 1))]
    problems += race_problems(api, bond, count)
    alone = [request for request in api if not (request[0] == 'POST' and request[1].endswith('/iscsibonds') and request[2] == 409)]
    if not race_problems(alone, bond, count):
        problems.append('positive control: the race check passed the log without its refused creates')
    refused = bond_creates(api).count(409)
    return problems, '%d API requests, %d writes, %d create refused with 409 (the race lost)' % (len(api), len(writes), refused)


def slice_problems(number, data, own, others, count):
    problems = []

    def say(text):
        problems.append('slice %d: %s' % (number, text))
    if not data:
        return ['slice %d: no datacenter_paths report in its set_stats' % number]
    if sorted(data.get('hosts') or {}) != sorted(own):
        say('report holds %d hosts, its inventory %d' % (len(data.get('hosts') or {}), len(own)))
    if data.get('engine_hosts_not_in_inventory'):
        say('%d hosts named missing from the inventory (%s...)' % (
            len(data['engine_hosts_not_in_inventory']), ', '.join(data['engine_hosts_not_in_inventory'][:3])))
    if sorted(data.get('engine_hosts_in_other_slices') or []) != sorted(others):
        say('in other slices: %d named, %d expected' % (len(data.get('engine_hosts_in_other_slices') or []), len(others)))
    if data.get('slice_count') != count:
        say('slice_count %r, expected %d' % (data.get('slice_count'), count))
    if data.get('failed') or set(h.get('status') for h in (data.get('hosts') or {}).values()) - {'skipped'}:
        say('hosts failed or not skipped: %s' % (data.get('failed') or '?'))
    return problems


def main(seed_path, log_path, bond, count, *slices):
    count = int(count)
    with open(seed_path, encoding='utf-8') as handle:
        seed = json.load(handle)
    engine = sorted(h['name'] for dc in seed['data_centers'] for c in dc.get('clusters') or [] for h in c.get('hosts') or [])
    owned = []
    for item in slices:
        artifacts, hosts_file = item.split(':', 1)
        with open(hosts_file, encoding='utf-8') as handle:
            owned.append((artifacts, handle.read().split()))
    problems = []
    covered = sorted(h for _artifacts, own in owned for h in own)
    if covered != engine:
        problems.append('the slices cover %d hosts (%d distinct) of %d engine hosts' % (len(covered), len(set(covered)), len(engine)))
    for number, (artifacts, own) in enumerate(owned, 1):
        data = stats_data(artifacts, 'datacenter_paths')[0]
        problems += slice_problems(number, data, own, sorted(set(engine) - set(own)), count)
    write_issues, writes = write_problems(requests(log_path), bond, count)
    problems += write_issues
    for problem in problems:
        print('check-slices: %s' % problem)
    print('check-slices: %d slices of %d engine hosts (%s), %s, %d problems'
          % (len(owned), len(engine), '+'.join(str(len(own)) for _a, own in owned), writes, len(problems)))
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main(*sys.argv[1:]))

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every benchmark shares: the results file format and the printed table.

Each benchmark writes bench/results/<bench>.json as
{"bench": ..., "when": ..., "machine": ..., "metrics": [{"name", "value", "unit", "goal"}]}
and prints the same metrics as a table.
"""

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile

RESULTS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'results')
TESTS_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'tests')


def engine_sim():
    """The engine simulator's harness (tests/engine_sim/harness.py), imported by name as the
    tests import it (tests/pytest.ini): tests/ and tests/lab (`lablib`) go on sys.path once."""
    for path in (TESTS_DIR, os.path.join(TESTS_DIR, 'lab')):
        if path not in sys.path:
            sys.path.insert(0, path)
    from engine_sim import harness  # pylint: disable=import-outside-toplevel
    return harness


def scenario(bench, script, env):
    """Run the lab scenario tests/e2e/SCRIPT with --measure FILE in ENV (added to this process's
    environment); its measurements as read from FILE, or None (said) if it failed."""
    top = os.path.dirname(TESTS_DIR)
    with tempfile.TemporaryDirectory() as work:
        out = os.path.join(work, 'measure.json')
        proc = subprocess.run([os.path.join(TESTS_DIR, 'e2e', script), '--measure', out], env=dict(os.environ, **env),
                              stdin=subprocess.DEVNULL, check=False, cwd=top)
        if proc.returncode != 0 or not os.path.exists(out):
            print('%s: the scenario failed (rc %d); no result written' % (bench, proc.returncode))
            return None
        with open(out, encoding='utf-8') as handle:
            return json.load(handle)


def measurements(description, what, measure):
    """The command line of a scenario's benchmark: `--measured FILE` reads the measurements WHAT
    wrote, without it `measure()` runs the scenario (None when it failed)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument('--measured', metavar='FILE', help='the JSON %s wrote (instead of running it again)' % what)
    args = parser.parse_args()
    if not args.measured:
        return measure()
    with open(args.measured, encoding='utf-8') as handle:
        return json.load(handle)


def machine():
    """A short description of the machine the numbers were measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        with open('/proc/cpuinfo', encoding='utf-8') as handle:
            for line in handle:
                if line.startswith('model name'):
                    cpu = line.split(':', 1)[1].strip()
                    break
    except OSError:
        pass
    return '%s, %d cores, %s %s' % (cpu, os.cpu_count() or 0, platform.system(), platform.release())


def metric(name, value, unit, goal):
    """One row; `goal` is a readable target such as '<= 2' or '>= 1.9'."""
    return {'name': name, 'value': value, 'unit': unit, 'goal': goal}


def report(bench, metrics):
    """Print the table and write bench/results/<bench>.json; returns the file's path."""
    widths = [max(len(str(row[key])) for row in metrics + [{'name': 'metric', 'value': 'value', 'unit': 'unit', 'goal': 'goal'}])
              for key in ('name', 'value', 'unit', 'goal')]
    line = '  '.join('%%-%ds' % width for width in widths)
    print(line % ('metric', 'value', 'unit', 'goal'))
    print(line % tuple('-' * width for width in widths))
    for row in metrics:
        print(line % (row['name'], row['value'], row['unit'], row['goal']))
    os.makedirs(RESULTS_DIR, exist_ok=True)
    path = os.path.join(RESULTS_DIR, bench + '.json')
    document = {
        'bench': bench,
        'when': datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds'),
        'machine': machine(),
        'metrics': metrics,
    }
    with open(path, 'w', encoding='utf-8') as handle:
        json.dump(document, handle, indent=2)
        handle.write('\n')
    return path

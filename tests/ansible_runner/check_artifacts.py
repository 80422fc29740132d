# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reads what an ansible-runner job left under artifacts/, the way AWX keeps job output.

    python check_artifacts.py ARTIFACTS_DIR STATS_KEY SECRETS_FILE INJECTED_VARIABLES

Fails (exit 1) when the job did not end with status "successful", when the set_stats data
under STATS_KEY is missing from the playbook_on_stats event, or when any line of
SECRETS_FILE (one secret a line) appears in any file under ARTIFACTS_DIR, job events
included. The one exception is ansible-runner's own: it records its whole process
environment in the file `command`; the credential variables the job was given
(INJECTED_VARIABLES, comma-separated names) are taken out of that record before it is
searched, and the file must be readable by its owner only.
Prints the stats data as JSON and a summary line.
"""

import json
import os
import sys


def read_text(path):
    with open(path, encoding='utf-8', errors='replace') as handle:
        return handle.read()


def command_record(path, injected):
    """runner's `command` file without the injected credential variables, and the problems with it."""
    problems = []
    if os.stat(path).st_mode & 0o077:
        problems.append('%s is readable by others than its owner' % path)
    record = json.loads(read_text(path))
    for name in injected:
        record.get('env', {}).pop(name, None)
    return json.dumps(record), problems


def leaks(artifacts, secrets, injected):
    """(file, secret length) for every artifact file that holds a secret, and other problems."""
    found = []
    problems = []
    count = 0
    for root, _dirs, files in os.walk(artifacts):
        for name in files:
            count += 1
            path = os.path.join(root, name)
            if os.path.samefile(root, artifacts) and name == 'command':
                text, command_problems = command_record(path, injected)
                problems += command_problems
            else:
                text = read_text(path)
            found += [(os.path.relpath(path, artifacts), len(secret)) for secret in secrets if secret in text]
    return found, problems, count


def stats_data(artifacts, key):
    """The set_stats data AWX would store as artifacts: the playbook_on_stats event's artifact_data."""
    events = os.path.join(artifacts, 'job_events')
    for name in sorted(os.listdir(events)):
        event = json.loads(read_text(os.path.join(events, name)))
        if event.get('event') == 'playbook_on_stats':
            return event.get('event_data', {}).get('artifact_data', {}).get(key), len(os.listdir(events))
    return None, len(os.listdir(events))


def main(artifacts, key, secrets_file, injected=''):
    secrets = [line for line in read_text(secrets_file).splitlines() if line]
    status = read_text(os.path.join(artifacts, 'status')).strip()
    data, events = stats_data(artifacts, key)
    found, problems, files = leaks(artifacts, secrets, [name for name in injected.split(',') if name])
    if status != 'successful':
        problems.append('job status %s' % status)
    if not data:
        problems.append('no set_stats data under %r in the playbook_on_stats event' % key)
    problems += ['a secret (%d chars) appears in %s' % (length, path) for path, length in found]
    print(json.dumps({key: data}, indent=1, sort_keys=True))
    for problem in problems:
        print('check-artifacts: %s' % problem)
    print('check-artifacts: status %s, %d job events, %d files searched for %d secrets, %d problems'
          % (status, events, files, len(secrets), len(problems)))
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main(*sys.argv[1:]))

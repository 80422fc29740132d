#!/usr/bin/env python
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ansible-rulebook's event log as AAP's EDA controller receives it, kept and read by tests/e2e/eda.

ansible-rulebook started with `-W ws://127.0.0.1:PORT` sends its audit stream over a websocket:
a `Job` message when a run_playbook action starts (with the rule and the matching event), an
`Action` message when it ends (status, rc), and the playbook's own events (`AnsibleEvent`). This
is what the controller shows as an activation's rule audit and jobs; it is written by
ansible-rulebook, not by the event source or the collection's playbooks.

  event_log.py serve PORT_FILE LOG      listen on a free loopback port (written to PORT_FILE),
                                        append each message to LOG as one JSON line, until killed
  event_log.py wait LOG ID started|finished|play=PREFIX SECONDS
                                        wait until the run for engine event ID started (its Job),
                                        finished (its Action) or began a play whose name starts
                                        with PREFIX; print it; exit 1 after SECONDS
  event_log.py once LOG ID...           every run in LOG is of one of the IDs, and each ID has
                                        exactly one run (one Job) and it finished successfully
  event_log.py controls LOG ID...       positive controls of `once`: the same LOG with an ID's
                                        run repeated (as a rulebook that lost its position would
                                        do) and with an ID's run left out must both be refused

Only what the checks need is kept: the Job and Action messages (rule, event id and name, job
id, times, status, rc) and the playbook's start, play starts and end (play names); never a
task's result, where a playbook's variables travel.
"""

import asyncio
import json
import os
import sys
import time

KEPT_ANSIBLE_EVENTS = ('playbook_on_start', 'playbook_on_play_start', 'playbook_on_stats')


def fail(message):
    print('event_log: FAIL: %s' % message)
    sys.exit(1)


def event_id(message):
    """The engine event id a Job or Action was for (its matching event), or None."""
    match = (message.get('matching_events') or {}).get('m') or {}
    return (match.get('ovirt') or {}).get('id')


def kept(message, connection):
    """The part of one websocket message the log keeps, or None."""
    kind = message.get('type')
    if kind in ('Job', 'Action'):
        match = ((message.get('matching_events') or {}).get('m') or {}).get('ovirt') or {}
        return {'type': kind, 'connection': connection, 'received': time.time(), 'event_id': match.get('id'),
                'event_name': match.get('name'), 'event_host': (match.get('host') or {}).get('name'),
                'rule': message.get('rule'), 'action': message.get('action'), 'job_id': message.get('job_id'),
                'run_at': message.get('run_at'), 'status': message.get('status'), 'rc': message.get('rc'),
                'hosts': message.get('hosts'), 'playbook': message.get('name') or message.get('playbook_name')}
    if kind == 'AnsibleEvent':
        event = message.get('event') or {}
        if event.get('event') in KEPT_ANSIBLE_EVENTS:
            return {'type': kind, 'connection': connection, 'received': time.time(), 'job_id': event.get('job_id'),
                    'event': event['event'], 'play': (event.get('event_data') or {}).get('play'),
                    'created': event.get('created')}
    return None


def serve(port_file, log):
    from websockets.asyncio.server import serve as ws_serve  # pylint: disable=import-outside-toplevel
    connections = [0]

    async def handler(websocket):
        connections[0] += 1
        number = connections[0]
        with open(log, 'a', encoding='utf-8') as handle:
            handle.write(json.dumps({'type': 'Connected', 'connection': number, 'received': time.time()}) + '\n')
            handle.flush()
            async for text in websocket:
                record = kept(json.loads(text), number)
                if record is not None:
                    handle.write(json.dumps(record) + '\n')
                    handle.flush()

    async def main():
        async with ws_serve(handler, '127.0.0.1', 0) as server:
            with open(port_file + '.tmp', 'w', encoding='utf-8') as handle:
                handle.write('%d\n' % server.sockets[0].getsockname()[1])
            os.replace(port_file + '.tmp', port_file)
            await asyncio.Future()

    asyncio.run(main())


def records(log):
    if not os.path.exists(log):
        return []
    with open(log, encoding='utf-8') as handle:
        return [json.loads(line) for line in handle if line.strip()]


def runs(lines, wanted):
    """{event id: [Job records]} of the run_playbook actions in the log."""
    found = {wanted_id: [] for wanted_id in wanted}
    for line in lines:
        if line['type'] == 'Job':
            found.setdefault(line['event_id'], []).append(line)
    return found


def finished(lines, job_id):
    return next((line for line in lines if line['type'] == 'Action' and line['job_id'] == job_id), None)


def wait(log, wanted_id, what, seconds):
    deadline = time.monotonic() + float(seconds)
    while True:
        lines = records(log)
        jobs = runs(lines, [wanted_id])[wanted_id]
        if jobs and what == 'started':
            found = jobs[0]
        elif jobs and what.startswith('play='):
            found = next((line for line in lines if line['type'] == 'AnsibleEvent' and line['job_id'] == jobs[0]['job_id']
                          and line['event'] == 'playbook_on_play_start' and (line['play'] or '').startswith(what[5:])), None)
        else:
            found = jobs and finished(lines, jobs[0]['job_id'])
        if found:
            print(json.dumps(found))
            return
        if time.monotonic() > deadline:
            fail('no run of engine event %s %s after %s s (%d runs in the log)' % (
                wanted_id, what, seconds, sum(1 for line in lines if line['type'] == 'Job')))
        time.sleep(0.5)


def check_once(lines, wanted):
    """[problems]: a wanted id without exactly one finished, successful run, or a run of another id."""
    problems = []
    for wanted_id, jobs in sorted(runs(lines, wanted).items(), key=lambda item: str(item[0])):
        if wanted_id not in wanted:
            problems.append('event %s (not one of these) ran %d time(s): %s' % (
                wanted_id, len(jobs), ', '.join(j['rule'] or '?' for j in jobs)))
        elif len(jobs) != 1:
            problems.append('event %s ran %d times (rulebook connections %s)' % (
                wanted_id, len(jobs), ', '.join(str(j['connection']) for j in jobs)))
        else:
            done = finished(lines, jobs[0]['job_id'])
            if done is None or done['status'] != 'successful' or done['rc'] != 0:
                problems.append('event %s: its run did not finish successfully (%s)' % (wanted_id, done))
    return problems


def once(log, wanted):
    lines = records(log)
    problems = check_once(lines, wanted)
    if problems:
        fail('not each event once:\n  %s' % '\n  '.join(problems))
    for wanted_id, jobs in sorted(runs(lines, wanted).items()):
        print('event %s (%s %s): 1 run, by rulebook connection %d, rule "%s", %s' % (
            wanted_id, jobs[0]['event_name'], jobs[0]['event_host'] or '', jobs[0]['connection'], jobs[0]['rule'],
            finished(lines, jobs[0]['job_id'])['status']))


def controls(log, wanted):
    """`once` must refuse the log doctored both ways; fails if it accepts either."""
    lines = records(log)
    if check_once(lines, wanted):
        fail('the log itself does not pass, so its controls prove nothing')
    job = runs(lines, wanted)[wanted[0]][0]
    repeated = lines + [dict(job, connection=job['connection'] + 1, job_id='%s-again' % job['job_id']),
                        dict(finished(lines, job['job_id']), job_id='%s-again' % job['job_id'])]
    left_out = [line for line in lines if line.get('job_id') != job['job_id']]
    for name, doctored in (('repeated', repeated), ('left out', left_out)):
        problems = check_once(doctored, wanted)
        if not problems:
            fail('control "%s" (event %s) was accepted' % (name, wanted[0]))
        print('control "%s" refused: %s' % (name, problems[0]))


def main(argv):
    if len(argv) == 4 and argv[1] == 'serve':
        serve(argv[2], argv[3])
    elif len(argv) == 6 and argv[1] == 'wait' and (argv[4] in ('started', 'finished') or argv[4].startswith('play=')):
        wait(argv[2], int(argv[3]), argv[4], argv[5])
    elif len(argv) >= 4 and argv[1] in ('once', 'controls'):
        (once if argv[1] == 'once' else controls)(argv[2], [int(a) for a in argv[3:]])
    else:
        fail(__doc__)


if __name__ == '__main__':
    main(sys.argv)

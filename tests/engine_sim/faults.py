# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Injected faults: the next N requests matching a method and a path regex
answer a status, or hang for a while first (then answer normally, or the
status if one was given too), or stop the engine: the request gets no answer
and the simulator shuts down as on SIGTERM (saving its state with --persist),
as an engine stopped in the middle of a client's work."""

import re
import threading


class FaultError(ValueError):
    """A fault rule that cannot be used."""


class Faults:
    def __init__(self):
        self._lock = threading.Lock()
        self._rules = []

    def add(self, spec):
        if not isinstance(spec, dict):
            raise FaultError('a fault is a JSON object')
        status = spec.get('status')
        hang = spec.get('hang')
        stop = spec.get('stop', False)
        if not isinstance(stop, bool):
            raise FaultError('"stop" must be true or false')
        if status is None and hang is None and not stop:
            raise FaultError('a fault needs "status", "hang" or "stop"')
        if status is not None and not (isinstance(status, int) and 100 <= status <= 599):
            raise FaultError('"status" must be an HTTP status code')
        if hang is not None and not (isinstance(hang, (int, float)) and 0 <= hang <= 3600):
            raise FaultError('"hang" must be seconds between 0 and 3600')
        count = spec.get('count', 1)
        if not isinstance(count, int) or count == 0 or count < -1:
            raise FaultError('"count" must be a positive integer, or -1 for every request')
        try:
            path = re.compile(spec.get('path') or '.*')
        except re.error as error:
            raise FaultError('"path" is not a regular expression: %s' % error) from error
        rule = {
            'method': (spec.get('method') or '*').upper(), 'path': path, 'status': status, 'hang': hang, 'stop': stop,
            'count': count, 'reason': spec.get('reason'), 'detail': spec.get('detail'), 'body': spec.get('body'),
        }
        with self._lock:
            self._rules.append(rule)
        return self.describe(rule)

    @staticmethod
    def describe(rule):
        return {key: (value.pattern if key == 'path' else value) for key, value in rule.items()}

    def clear(self):
        with self._lock:
            count = len(self._rules)
            self._rules = []
        return count

    def list(self):
        with self._lock:
            return [self.describe(rule) for rule in self._rules]

    def take(self, method, target):
        """The first rule matching `method` and `target` (path and query), its count used once."""
        with self._lock:
            for rule in self._rules:
                if rule['method'] not in ('*', method) or not rule['path'].search(target):
                    continue
                if rule['count'] > 0:
                    rule['count'] -= 1
                    if rule['count'] == 0:
                        self._rules.remove(rule)
                return dict(rule)
        return None

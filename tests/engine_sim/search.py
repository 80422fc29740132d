# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The subset of the engine's search language the simulator serves.

`field=value` terms joined by `and` (or juxtaposed), `!=` too, `*` as a
wildcard, values optionally quoted. Field names are those of the engine's
search objects for the entity (e.g. hosts: name, status, address,
cluster, datacenter). Anything else is a syntax error (400), as the
engine's SearchBackend rejects what it cannot parse.
"""

import fnmatch
import re

from engine_sim.errors import ApiError


def _dc_name(store, dc_id):
    dc = store.get('data_centers', dc_id)
    return dc['name'] if dc else ''


def _cluster_name(store, cluster_id):
    cluster = store.get('clusters', cluster_id)
    return cluster['name'] if cluster else ''


FIELDS = {
    'data_centers': {
        'name': lambda s, r: r['name'], 'status': lambda s, r: r['status'],
        'description': lambda s, r: r['description'] or '',
    },
    'clusters': {
        'name': lambda s, r: r['name'], 'datacenter': lambda s, r: _dc_name(s, r['data_center']),
    },
    'hosts': {
        'name': lambda s, r: r['name'], 'status': lambda s, r: r['status'], 'address': lambda s, r: r['address'],
        'cluster': lambda s, r: _cluster_name(s, r['cluster']),
        'datacenter': lambda s, r: _dc_name(s, s.dc_of_cluster(r['cluster'])),
    },
    'networks': {
        'name': lambda s, r: r['name'], 'datacenter': lambda s, r: _dc_name(s, r['data_center']),
    },
    'storage_domains': {
        'name': lambda s, r: r['name'], 'datacenter': lambda s, r: _dc_name(s, r['data_center']),
        'status': lambda s, r: r['status'], 'type': lambda s, r: r['type'],
    },
    'users': {
        'name': lambda s, r: r['name'], 'usrname': lambda s, r: r['user_name'],
    },
    # AuditLogConditionFieldAutoCompleter's columns (severity and time compare with =/!= only here).
    'events': {
        'type': lambda s, r: r['code'], 'severity': lambda s, r: r['severity'],
        'message': lambda s, r: r['message'], 'usrname': lambda s, r: r['user_name'] or '',
        'event_host': lambda s, r: r['host_name'] or '', '_event_host_id': lambda s, r: r['host'] or '',
        'event_datacenter': lambda s, r: r['data_center_name'] or '',
        '_event_datacenter_id': lambda s, r: r['data_center'] or '',
        'correlation_id': lambda s, r: r['correlation_id'] or '', 'origin': lambda s, r: r['origin'],
        'custom_event_id': lambda s, r: r['custom_id'],
    },
}

_TERM = re.compile(r'^\s*(?P<field>[A-Za-z_]+)\s*(?P<op>!=|=)\s*(?P<value>"[^"]*"|\S+)\s*')
_AND = re.compile(r'^\s*and\s+', re.IGNORECASE)


def _syntax_error(query):
    return ApiError(400, ['Search query syntax error: %s' % query])


def parse(query):
    """-> list of (field, negated, value)."""
    terms = []
    rest = query.strip()
    if rest.lower().startswith(('hosts:', 'datacenter:', 'cluster:', 'network:', 'storage:', 'users:', 'events:')):
        raise _syntax_error(query)
    while rest:
        match = _TERM.match(rest)
        if not match:
            raise _syntax_error(query)
        value = match.group('value')
        if value.startswith('"'):
            value = value[1:-1]
        terms.append((match.group('field').lower(), match.group('op') == '!=', value))
        rest = rest[match.end():]
        and_match = _AND.match(rest)
        if and_match:
            rest = rest[and_match.end():]
            if not rest:
                raise _syntax_error(query)
        if rest.lower().startswith(('or ', 'sortby', 'page')):
            raise _syntax_error(query)
    return terms


def _matches(actual, pattern, case_sensitive):
    if not case_sensitive:
        actual, pattern = actual.lower(), pattern.lower()
    return fnmatch.fnmatchcase(actual, pattern)


def apply(store, kind, records, query, case_sensitive=True):
    if query is None or not query.strip():
        return records
    terms = parse(query)
    fields = FIELDS.get(kind, {})
    for field, _negated, _value in terms:
        if field not in fields:
            raise _syntax_error(query)
    return [
        record for record in records
        if all(_matches(str(fields[field](store, record)), value, case_sensitive) != negated
               for field, negated, value in terms)
    ]

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The events collection: the audit log, newest first, with `from`, `search` and `max`.

As BackendEventsResource runs it (a search over audit_log): `from` and `max` are read by
AbstractBackendCollectionResource.getSearchParameters (ParametersHelper.getIntegerParameter:
a value that is not an integer is ignored); the search adds `audit_log_id > from` and the
entity's default sort `audit_log_id DESC` (SyntaxChecker, SearchObjectAutoCompleter), then
the page phrase limits it to `max`. So `max=N` with `from=X` answers the NEWEST N events
after X, not the oldest: a client that follows the log must notice a full page.
"""

from engine_sim import follow, search, xml_io
from engine_sim.errors import not_found
from engine_sim.routes.common import follow_tree, ok


def _integer(request, name):
    """getIntegerParameter: missing, empty or not an integer -> None (ignored)."""
    text = request.param(name)
    try:
        return int(text) if text not in (None, '') else None
    except ValueError:
        return None


def list_events(request):
    records = [record for record in request.store.all('events') if not record['deleted']]
    case_sensitive = (request.param('case_sensitive') or 'true').lower() != 'false'
    records = search.apply(request.store, 'events', records, request.param('search'), case_sensitive)
    start = _integer(request, 'from')
    if start is not None and start > 0:
        records = [record for record in records if record['id'] > start]
    records.sort(key=lambda record: record['id'], reverse=True)
    limit = _integer(request, 'max')
    if limit is not None and limit >= 0:
        records = records[:limit]
    objs = follow.render_many(request.store, 'events', [(record, None) for record in records], follow_tree(request))
    return ok(xml_io.to_xml(objs, root='events', links=False))


def get_event(request, event):
    record = request.store.get('events', int(event)) if event.isdigit() else None
    if record is None or record['deleted']:
        raise not_found()
    return ok(xml_io.to_xml(follow.render(request.store, 'events', record, None, follow_tree(request)), links=False))


ROUTES = [
    ('GET', r'events', list_events),
    ('GET', r'events/(?P<event>[^/]+)', get_event),
]

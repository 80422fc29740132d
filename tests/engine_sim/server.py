# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""HTTPS front: SSO endpoints, the API with its auth and version checks, and /__sim__/."""

import hashlib
import json
import os
import re
import ssl
import sys
import threading
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from engine_sim import audit, auth, routes, xml_io
from engine_sim.answer import Response
from engine_sim.errors import ApiError
from engine_sim.faults import FaultError

API_PREFIX = '/ovirt-engine/api'
SSO_TOKEN = '/ovirt-engine/sso/oauth/token'
SSO_TOKEN_HTTP_AUTH = '/ovirt-engine/sso/oauth/token-http-auth'
SSO_LOGOUT = '/ovirt-engine/services/sso-logout'
LOG_REQUESTS = os.environ.get('ENGINE_SIM_LOG') == '1'
_VERSION_IN_PATH = re.compile(r'^/v(\d+)(?=/|$)')


def _session_id(token):
    """A stable stand-in for the engine session id of a token (never the token itself)."""
    return hashlib.sha256(token.encode()).hexdigest()[:32]


class Stats:
    """API requests served since the last reset (SSO and /__sim__/ are not counted)."""

    LOG_LIMIT = 20000

    def __init__(self):
        self._lock = threading.Lock()
        self.reset()

    def reset(self):
        with self._lock:
            self._requests = 0
            self._by_method = {}
            self._by_path = {}
            self._log = []

    def count(self, method, path, query):
        with self._lock:
            self._requests += 1
            self._by_method[method] = self._by_method.get(method, 0) + 1
            key = '%s %s' % (method, path)
            self._by_path[key] = self._by_path.get(key, 0) + 1
            if len(self._log) < self.LOG_LIMIT:
                self._log.append('%s %s%s' % (method, path, '?' + query if query else ''))

    def snapshot(self):
        with self._lock:
            return {'requests': self._requests, 'by_method': dict(self._by_method),
                    'by_path': dict(self._by_path), 'log': list(self._log)}


class Simulator:
    """Everything the handlers share."""

    def __init__(self, store, faults, tokens, monitor):
        self.store = store
        self.faults = faults
        self.tokens = tokens
        self.monitor = monitor
        self.stats = Stats()
        self.stopping = threading.Event()
        # Set by SIGTERM, SIGINT or a "stop" fault: the main thread then shuts the server down.
        self.stop_requested = threading.Event()


class Request:
    """One API request as the route handlers see it."""

    def __init__(self, sim, method, path, query, headers, body, user):
        self.sim = sim
        self.store = sim.store
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.user = user

    def param(self, name, default=None):
        """Query parameter or, as the engine reads some (ParametersHelper), header."""
        values = self.query.get(name)
        if values:
            return values[0]
        header = self.headers.get(name.replace('_', '-'))
        return header if header is not None else default


def error_response(error):
    if not error.body:
        return Response(error.status, b'', content_type=None)
    if error.content_type != 'application/xml':
        return Response(error.status, '\n'.join(error.messages), content_type=error.content_type)
    detail = error.raw_detail if error.raw_detail is not None else error.detail
    return Response(error.status, xml_io.fault_xml(error.reason, detail))


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'ovirt-engine-sim/1.0'
    sys_version = ''

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        """Quiet unless ENGINE_SIM_LOG=1: then method, path with query, status on stderr
        (never headers or bodies, where tokens and passwords travel)."""
        if LOG_REQUESTS:
            sys.stderr.write('engine_sim: %s\n' % (format % args))

    def do_GET(self):  # pylint: disable=invalid-name
        self._handle()

    def do_POST(self):  # pylint: disable=invalid-name
        self._handle()

    def do_PUT(self):  # pylint: disable=invalid-name
        self._handle()

    def do_DELETE(self):  # pylint: disable=invalid-name
        self._handle()

    @property
    def sim(self):
        return self.server.sim

    def _send(self, response):
        self.send_response(response.status)
        if response.content_type and response.body:
            self.send_header('Content-Type', response.content_type)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header('Content-Length', str(len(response.body)))
        self.end_headers()
        if response.body and self.command != 'HEAD':
            self.wfile.write(response.body)

    def _handle(self):
        parts = urlsplit(self.path)
        path = parts.path
        length = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(length) if length else b''
        if path.startswith('/__sim__/'):
            self._send(self._sim_endpoint(path, body))
            return
        if self.sim.stop_requested.is_set():
            # Gone means gone for every request after the stop too: libcurl sends a request again on
            # a fresh connection when a reused one closes with no answer, and that retry, served
            # while the server was still shutting down, wrote what the engine never got (seen once
            # in the unit stage: test_engine_stops).
            self.close_connection = True
            return
        is_api = path == API_PREFIX or path.startswith(API_PREFIX + '/')
        if is_api:
            self.sim.stats.count(self.command, path, parts.query)
        fault = self.sim.faults.take(self.command, path + ('?' + parts.query if parts.query else ''))
        if fault:
            if fault['stop']:
                # No answer at all: the engine went away with the request in flight.
                self.sim.stop_requested.set()
                self.close_connection = True
                return
            if fault['hang']:
                self.sim.stopping.wait(fault['hang'])
            if fault['status']:
                self._send(self._fault_answer(fault))
                return
        if path in (SSO_TOKEN, SSO_TOKEN_HTTP_AUTH):
            self._send(self._sso_token(path, body))
        elif path == SSO_LOGOUT:
            self._send(self._sso_logout(body))
        elif is_api:
            self._send(self._api(path[len(API_PREFIX):], parse_qs(parts.query, keep_blank_values=True), body))
        else:
            self._send(Response(404))

    @staticmethod
    def _fault_answer(fault):
        if fault['body'] is not None:
            return Response(fault['status'], fault['body'])
        if fault['status'] < 400:
            return Response(fault['status'], xml_io.action_xml())
        reason = fault['reason'] or 'Operation Failed'
        detail = fault['detail'] or '[Injected fault]'
        return Response(fault['status'], xml_io.fault_xml(reason, detail))

    # SSO, as the SDK calls it (ovirtsdk4/__init__.py).

    @staticmethod
    def _json(status, document):
        return Response(status, json.dumps(document), content_type='application/json')

    def _sso_token(self, path, body):
        form = {key: values[0] for key, values in parse_qs(body.decode('utf-8', 'replace')).items()}
        username = form.get('username', '')
        if path == SSO_TOKEN_HTTP_AUTH or form.get('grant_type') != 'password':
            return self._json(400, {'error_code': 'unsupported_grant_type',
                                    'error': 'The simulator supports the password grant only.'})
        with self.sim.store.lock:
            user = auth.find_user(self.sim.store, username, form.get('password'))
        if user is None:
            return self._json(400, {
                'error_code': 'access_denied',
                'error': "Cannot authenticate user '%s': The username or password is incorrect.." % username,
            })
        token, expires = self.sim.tokens.issue(user['id'])
        # CreateUserSessionCommand logs the login (the engine when the API first sees the token).
        audit.write(self.sim.store, 'USER_VDC_LOGIN', user=user, SourceIP=self.client_address[0],
                    SessionID=_session_id(token))
        return self._json(200, {'access_token': token, 'scope': form.get('scope', 'ovirt-app-api'),
                                'exp': expires, 'token_type': 'bearer'})

    def _sso_logout(self, body):
        form = {key: values[0] for key, values in parse_qs(body.decode('utf-8', 'replace')).items()}
        if form.get('token'):
            user_id = self.sim.tokens.user_of(form['token'])
            self.sim.tokens.revoke(form['token'])
            user = self.sim.store.get('users', user_id) if user_id else None
            if user:
                audit.write(self.sim.store, 'USER_VDC_LOGOUT', user=user, SourceIP=self.client_address[0],
                            SessionID=_session_id(form['token']))
        return self._json(200, {})

    # The API.

    def _authenticated_user(self):
        header = self.headers.get('Authorization') or ''
        scheme = header.split(None, 1)[0].lower() if header else ''
        with self.sim.store.lock:
            if scheme == 'bearer':
                user_id = self.sim.tokens.user_of(header.split(None, 1)[1].strip() if ' ' in header else '')
                return self.sim.store.get('users', user_id) if user_id else None
            if scheme == 'basic':
                return auth.basic_user(self.sim.store, header)
        return None

    def _api(self, path, query, body):
        version = _VERSION_IN_PATH.match(path)
        requested = version.group(1) if version else self.headers.get('Version')
        if version:
            path = path[version.end():]
        user = self._authenticated_user()
        if user is None:
            return Response(401, headers={'WWW-Authenticate': 'Basic realm="RESTAPI"'})
        if requested not in (None, '4'):
            return Response(400, xml_io.fault_xml(
                'Operation Failed', '[Version "%s" is not supported, supported versions are 4]' % requested))
        request = Request(self.sim, self.command, path.strip('/'), query, self.headers, body, user)
        try:
            with self.sim.store.lock:
                try:
                    return routes.dispatch(request)
                finally:
                    if self.command != 'GET':
                        self.sim.store.touch()
        except ApiError as error:
            return error_response(error)
        except Exception:  # pylint: disable=broad-exception-caught
            # A simulator bug: answer like an unhandled engine exception, and say where.
            traceback.print_exc()
            return Response(500, 'engine_sim internal error', content_type='text/plain')

    # Test control, outside the API.

    def _sim_endpoint(self, path, body):
        method = self.command
        try:
            document = json.loads(body) if body else {}
        except ValueError:
            return self._json(400, {'error': 'the body is not JSON'})
        if path == '/__sim__/stats' and method == 'GET':
            return self._json(200, self.sim.stats.snapshot())
        if path == '/__sim__/stats/reset' and method == 'POST':
            self.sim.stats.reset()
            return self._json(200, {'requests': 0})
        if path == '/__sim__/state' and method == 'GET':
            return self._json(200, self.sim.store.snapshot())
        if path == '/__sim__/events' and method == 'GET':
            after = parse_qs(urlsplit(self.path).query).get('after', ['0'])[0]
            return self._json(200, {'events': self.sim.store.events(int(after) if after.isdigit() else 0)})
        if path == '/__sim__/faults':
            if method == 'POST':
                try:
                    return self._json(201, self.sim.faults.add(document))
                except FaultError as error:
                    return self._json(400, {'error': str(error)})
            if method == 'DELETE':
                return self._json(200, {'removed': self.sim.faults.clear()})
            if method == 'GET':
                return self._json(200, {'faults': self.sim.faults.list()})
        if path == '/__sim__/tokens/expire' and method == 'POST':
            return self._json(200, {'expired': self.sim.tokens.expire_all()})
        return self._json(404, {'error': 'no such simulator endpoint: %s %s' % (method, path)})


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, address, sim, ssl_context):
        super().__init__(address, Handler)
        self.sim = sim
        self.ssl_context = ssl_context

    def finish_request(self, request, client_address):
        """TLS handshake in the connection's own thread, so a slow client blocks no one else."""
        try:
            tls = self.ssl_context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return
        try:
            Handler(tls, client_address, self)
        except (ssl.SSLError, ConnectionError):
            pass
        finally:
            try:
                tls.close()
            except OSError:
                pass

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""SSO tokens and the engine's permission check (action groups on an object or system-wide)."""

import base64
import secrets
import threading
import time

TOKEN_LIFETIME_MS = 10 * 3600 * 1000


class Tokens:
    """Bearer tokens the SSO endpoint issued, by token text."""

    def __init__(self):
        self._lock = threading.Lock()
        self._users = {}

    def issue(self, user_id):
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._users[token] = user_id
        return token, str(int(time.time() * 1000) + TOKEN_LIFETIME_MS)

    def revoke(self, token):
        with self._lock:
            self._users.pop(token, None)

    def expire_all(self):
        with self._lock:
            count = len(self._users)
            self._users.clear()
        return count

    def user_of(self, token):
        with self._lock:
            return self._users.get(token)


def find_user(store, username, password):
    """The user record when the credentials match, else None."""
    for user in store.all('users'):
        if user['user_name'] == username and secrets.compare_digest(user['password'], password or ''):
            return user
    return None


def basic_user(store, header):
    try:
        decoded = base64.b64decode(header.split(None, 1)[1]).decode('utf-8')
    except (ValueError, IndexError, UnicodeDecodeError):
        return None
    username, _sep, password = decoded.partition(':')
    return find_user(store, username, password)


def has_action_group(store, user_id, action_group, dc_id):
    """True when a role granting `action_group` is on the DC or on the system object."""
    for permission in store.where('permissions', user=user_id):
        if permission['data_center'] not in (None, dc_id):
            continue
        role = store.get('roles', permission['role'])
        if role and action_group in role['permits']:
            return True
    return False


def is_super_user(store, user_id):
    return any(
        permission['data_center'] is None and store.get('roles', permission['role'])['name'] == 'SuperUser'
        for permission in store.where('permissions', user=user_id)
    )

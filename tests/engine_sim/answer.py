# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The answer a handler returns: status, body, content type, extra headers."""


class Response:
    def __init__(self, status, body=b'', content_type='application/xml;charset=UTF-8', headers=None):
        self.status = status
        self.body = body.encode('utf-8') if isinstance(body, str) else body
        self.content_type = content_type
        self.headers = headers or {}

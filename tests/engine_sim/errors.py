# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Errors a handler raises; the server turns each into the engine's answer."""

# The engine maps each message's error type to a status; with several
# messages 400 wins over 409 (rest/util/ErrorMessageHelper.java).
_STATUS_PRECEDENCE = (400, 403, 409)


class ApiError(Exception):
    """An answer other than success: status, reason and the engine's messages."""

    def __init__(self, status, messages=None, reason='Operation Failed', body=True, content_type='application/xml',
                 raw_detail=None):
        super().__init__('%s %s' % (status, messages))
        self.raw_detail = raw_detail
        self.status = status
        self.messages = list(messages or [])
        self.reason = reason
        self.body = body
        self.content_type = content_type

    @property
    def detail(self):
        """The engine writes the message list as a Java list: `[a, b]`."""
        return '[%s]' % ', '.join(self.messages)


def not_found():
    """An unknown or malformed id in the path: 404 with an empty body."""
    return ApiError(404, body=False)


def engine_failure(failures):
    """`failures` is a list of (status, text) from the engine's validations."""
    statuses = [status for status, _text in failures]
    status = next((candidate for candidate in _STATUS_PRECEDENCE if candidate in statuses), statuses[0])
    return ApiError(status, [text for _status, text in failures])


def not_authorized():
    """What CommandBase answers when the user lacks the action group."""
    return ApiError(403, ['User is not authorized to perform this action.'])


def bad_request(text, reason='Operation Failed'):
    return ApiError(400, [text], reason=reason)


def entity_not_found(identifier):
    """BaseBackendResource.EntityNotFoundException: a fault whose detail is not a list."""
    return ApiError(404, raw_detail='Entity not found: %s' % identifier)

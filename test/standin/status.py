"""API errors as kube-apiserver reports them: a `Status` object with reason, code and details.

`details.kind` is the resource plural for NotFound/AlreadyExists/Conflict/Forbidden and the Kind
for Invalid, exactly as the real server does; clients must not depend on either being otherwise.
"""

_REASONS = {400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound",
            405: "MethodNotAllowed", 406: "NotAcceptable", 409: "Conflict", 410: "Expired",
            415: "UnsupportedMediaType", 422: "Invalid", 429: "TooManyRequests",
            500: "InternalError", 503: "ServiceUnavailable", 504: "Timeout"}


def status_object(code, reason, message, details=None):
    status = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
              "message": message, "reason": reason, "code": code}
    if details is not None:
        status["details"] = details
    return status


class ApiError(Exception):
    """Raised anywhere below the handler; the handler answers with `status()`."""

    def __init__(self, code, message, reason=None, details=None):
        super().__init__(message)
        self.code = code
        self.reason = reason or _REASONS.get(code, "Unknown")
        self.details = details

    def status(self):
        return status_object(self.code, self.reason, str(self), self.details)


def bad_request(message):
    return ApiError(400, message)


def not_found(plural, name, group=""):
    details = {"name": name, "kind": plural}
    if group:
        details["group"] = group
    prefix = f"{plural}.{group}" if group else plural
    return ApiError(404, f'{prefix} "{name}" not found', details=details)


def unknown_resource():
    return ApiError(404, "the server could not find the requested resource", details={})


def already_exists(plural, name, group=""):
    details = {"name": name, "kind": plural}
    if group:
        details["group"] = group
    prefix = f"{plural}.{group}" if group else plural
    return ApiError(409, f'{prefix} "{name}" already exists', "AlreadyExists", details)


def conflict(plural, name, group="", why=None):
    prefix = f"{plural}.{group}" if group else plural
    details = {"name": name, "kind": plural}
    if group:
        details["group"] = group
    why = why or ("the object has been modified; please apply your changes to the latest "
                  "version and try again")
    return ApiError(409, f'Operation cannot be fulfilled on {prefix} "{name}": {why}',
                    "Conflict", details)


def invalid(kind, name, causes, group=""):
    """422 with `causes` = [(field, message)], message shaped like the apiserver's."""
    text = "; ".join(f"{f}: {m}" for f, m in causes)
    details = {"name": name, "kind": kind,
               "causes": [{"reason": "FieldValueInvalid", "message": m, "field": f}
                          for f, m in causes]}
    if group:
        details["group"] = group
    prefix = f"{kind}.{group}" if group else kind
    return ApiError(422, f'{prefix} "{name}" is invalid: {text}', details=details)

"""The one exception family of rarekg; each error carries the HTTP status it answers with."""

from __future__ import annotations


class RarekgError(Exception):
    """Base of every error rarekg raises on purpose."""

    status = 500
    kind = "error"

    def to_json(self) -> dict[str, object]:
        return {"error": {"type": self.kind, "status": self.status, "message": str(self)}}


class QuerySyntaxError(RarekgError):
    """A SPARQL query or update that does not parse.

    The message is in plain words (``kg.syntax.explain``); ``line`` and ``column`` are 1-based when
    known; ``detail`` is the parser's own text, for experts."""

    status = 400
    kind = "syntax-error"

    def __init__(self, message: str, line: int | None = None, column: int | None = None,
                 detail: str | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.column = column
        self.detail = detail

    def to_json(self) -> dict[str, object]:
        data = super().to_json()
        err = data["error"]
        assert isinstance(err, dict)
        err["line"] = self.line
        err["column"] = self.column
        err["detail"] = self.detail
        return data


class BadRequest(RarekgError):
    status = 400
    kind = "bad-request"


class NotAcceptable(RarekgError):
    status = 406
    kind = "not-acceptable"


class UnsupportedMediaType(RarekgError):
    status = 415
    kind = "unsupported-media-type"


class Forbidden(RarekgError):
    status = 403
    kind = "forbidden"


class NotFound(RarekgError):
    status = 404
    kind = "not-found"


class StoreUnavailable(RarekgError):
    status = 503
    kind = "store-unavailable"


class Unauthorized(RarekgError):
    status = 401
    kind = "unauthorized"


class ResultTooLarge(RarekgError):
    status = 413
    kind = "result-too-large"


class QueryTimeout(RarekgError):
    status = 503
    kind = "timeout"


class LoadError(RarekgError):
    """A malformed record in a source file: names the file, the record and the field."""

    status = 422
    kind = "load-error"

    def __init__(self, file: str, record: int | str, field: str | None, message: str) -> None:
        where = f"{file}, record {record}" + (f", field {field!r}" if field else "")
        super().__init__(f"{where}: {message}")
        self.file = file
        self.record = record
        self.field = field


class BuildError(RarekgError):
    """A build that did not complete; the previous store is left as it was."""

    kind = "build-error"


class ValidationFailed(BuildError):
    """The built graph violates the SHACL shapes; ``report`` is the readable list of violations."""

    kind = "validation-failed"

    def __init__(self, report: str, count: int) -> None:
        super().__init__(f"validation failed with {count} violation(s):\n{report}")
        self.report = report
        self.count = count


class Conflict(RarekgError):
    """The request does not fit the current state (e.g. approving a submission already reviewed)."""

    status = 409
    kind = "conflict"


class RequestTooLarge(RarekgError):
    status = 413
    kind = "request-too-large"


class RateLimited(RarekgError):
    """Too many requests from one client; ``retry_after`` is in seconds."""

    status = 429
    kind = "rate-limited"

    def __init__(self, message: str, retry_after: int = 60) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Busy(RarekgError):
    """The service is doing as much of this kind of work as it allows at once; retry shortly."""

    status = 503
    kind = "busy"


class Message(str):
    """An English message that keeps its template and values, so that a page in another language
    can translate the template and fill in the same values.

    >>> m = Message("has %(count)s characters; at most %(limit)s", count=320, limit=300)
    >>> str(m), m.template, m.params["limit"]
    ('has 320 characters; at most 300', 'has %(count)s characters; at most %(limit)s', 300)
    """

    template: str
    params: dict[str, object]

    def __new__(cls, template: str, **params: object) -> Message:
        message = super().__new__(cls, template % params if params else template)
        message.template = template
        message.params = params
        return message


class InvalidSubmission(RarekgError):
    """A submission that breaks the curation format or the SHACL shapes: one message per field
    (``fields`` maps a field name to its messages)."""

    status = 422
    kind = "invalid-submission"

    def __init__(self, fields: dict[str, list[str]]) -> None:
        count = sum(len(m) for m in fields.values())
        super().__init__(f"the submission has {count} problem(s): " + "; ".join(
            f"{name}: {msg}" for name, msgs in fields.items() for msg in msgs))
        self.fields = fields

    def to_json(self) -> dict[str, object]:
        data = super().to_json()
        err = data["error"]
        assert isinstance(err, dict)
        err["fields"] = self.fields
        return data

"""What protects the submission and review pages: bodies read up to a size limit, the client's
address for the rate limit, CSRF tokens tied to a cookie, and the review session cookie that stands
for the update token once a maintainer has given it.

Tokens are HMACs under the secret key of the submissions folder (shared by every worker process):

- CSRF: the cookie ``rarekg_csrf`` holds a random value (HttpOnly, SameSite=Strict); a form carries
  ``HMAC(key, "csrf:" + value)`` in a hidden field.  A POST whose field does not match its cookie is
  refused with 403.
- Review session: the cookie ``rarekg_review`` holds ``expiry.name.signature``, the signature
  being ``HMAC(key, expiry + name + HMAC(update_token))``: it stops working when it expires or
  when the update token changes, and never contains the token.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from urllib.parse import parse_qs

from flask import Response, current_app, request

from kg.contrib.submissions import SubmissionStore
from kg.errors import Forbidden, RequestTooLarge, Unauthorized, UnsupportedMediaType

CSRF_COOKIE = "rarekg_csrf"
CSRF_FIELD = "csrf_token"
REVIEW_COOKIE = "rarekg_review"
REVIEW_HOURS = 8
STORE = "rarekg_submissions"


def submissions() -> SubmissionStore:
    store = current_app.extensions[STORE]
    assert isinstance(store, SubmissionStore)
    return store


def _key(purpose: str) -> bytes:
    return hmac.new(submissions().secret(), purpose.encode("utf-8"), hashlib.sha256).digest()


def _sign(purpose: str, value: str) -> str:
    mac = hmac.new(_key(purpose), value.encode("utf-8"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode("ascii").rstrip("=")


def client_address() -> str:
    """The address of the client (the peer of the connection; a proxy in front of the service
    counts as one client)."""
    return request.remote_addr or "unknown"


def read_body() -> bytes:
    """The request body, refused with 413 past the ``submission_max_bytes`` setting (checked on the
    declared length first, then on what is read)."""
    limit = int(current_app.config["RAREKG"]["submission_max_bytes"])
    length = request.content_length
    if length is not None and length > limit:
        raise RequestTooLarge(f"the submission has {length} bytes; at most {limit} are accepted "
                              "(setting submission_max_bytes)")
    data = request.stream.read(limit + 1)
    if len(data) > limit:
        raise RequestTooLarge(f"the submission is larger than {limit} bytes "
                              "(setting submission_max_bytes)")
    return data


def form_fields(body: bytes) -> dict[str, list[str]]:
    """An ``application/x-www-form-urlencoded`` body (UTF-8)."""
    if (request.mimetype or "") != "application/x-www-form-urlencoded":
        raise UnsupportedMediaType("the form is sent as application/x-www-form-urlencoded")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UnsupportedMediaType(f"the form is not UTF-8: {exc.reason}") from None
    return parse_qs(text, keep_blank_values=True, max_num_fields=500)


def csrf_token() -> tuple[str, str | None]:
    """The token for a form's hidden field, and a new cookie value to set when the client has none
    (pass it to ``set_csrf_cookie``)."""
    value = request.cookies.get(CSRF_COOKIE, "")
    fresh = None
    if len(value) < 20:
        value = fresh = secrets.token_urlsafe(24)
    return _sign("csrf", value), fresh


def set_csrf_cookie(response: Response, value: str | None) -> Response:
    if value:
        response.set_cookie(CSRF_COOKIE, value, httponly=True, samesite="Strict",
                            secure=request.is_secure, path="/")
    return response


def check_csrf(fields: dict[str, list[str]]) -> None:
    """Raises ``Forbidden`` unless the form's token matches the client's CSRF cookie."""
    value = request.cookies.get(CSRF_COOKIE, "")
    given = (fields.get(CSRF_FIELD) or [""])[0]
    if not value or not given or not same_secret(given, _sign("csrf", value)):
        raise Forbidden("the form's security token does not match its cookie (CSRF check): "
                        "reload the form and send it again")


def _token_mac() -> str:
    token = current_app.config["RAREKG"]["update_token"] or ""
    return hmac.new(_key("token"), token.encode("utf-8"), hashlib.sha256).hexdigest()


def bearer_ok() -> bool:
    """Whether the request carries the update token as a Bearer credential."""
    token = current_app.config["RAREKG"]["update_token"]
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return bool(token) and scheme.lower() == "bearer" and same_secret(given, token)


def token_matches(given: str) -> bool:
    token = current_app.config["RAREKG"]["update_token"]
    return bool(token) and same_secret(given, token)


def same_secret(given: str, token: str) -> bool:
    """Whether ``given`` is ``token``, compared in constant time as UTF-8 bytes (any character may
    arrive in a header or a form; ``hmac.compare_digest`` refuses non-ASCII text)."""
    return hmac.compare_digest(given.strip().encode("utf-8", "replace"),
                               token.encode("utf-8", "replace"))


def review_cookie(name: str) -> str:
    expires = str(int(time.time()) + REVIEW_HOURS * 3600)
    label = base64.urlsafe_b64encode(name.encode("utf-8")).decode("ascii")
    return f"{expires}.{label}.{_sign('review', expires + label + _token_mac())}"


def reviewer_from_cookie() -> str | None:
    """The reviewer's name of a valid review session cookie, or None."""
    if not current_app.config["RAREKG"]["update_token"]:
        return None
    value = request.cookies.get(REVIEW_COOKIE, "")
    parts = value.split(".")
    if len(parts) != 3 or not parts[0].isdigit() or int(parts[0]) < time.time():
        return None
    if not same_secret(parts[2], _sign("review", parts[0] + parts[1] + _token_mac())):
        return None
    try:
        return base64.urlsafe_b64decode(parts[1].encode("ascii")).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None


def require_reviewer() -> None:
    """Raises ``Forbidden`` when writes are off and ``Unauthorized`` without the update token (as a
    Bearer credential or a review session cookie)."""
    if not current_app.config["RAREKG"]["update_token"]:
        raise Forbidden("reviewing needs the update token, and writes are not enabled "
                        "(setting update_token)")
    if not bearer_ok() and reviewer_from_cookie() is None:
        raise Unauthorized("reviewing submissions needs 'Authorization: Bearer <update token>'")

"""Which mails a person may turn off, and the signed unsubscribe link of those that they may.

Essential mails are about the person's own registration and are never suppressed, whatever the
person chose: without them somebody misses their place, their ticket or a change.

| kind | class | why |
| --- | --- | --- |
| registration_confirmation(_resend) | essential | the registration itself, the ticket, the link |
| ticket | essential | a new or reissued ticket |
| login_link | essential | the person asked for it |
| venue_offer, venue_offer_expired | essential | a place they must confirm, or lost |
| draw_result | essential | the outcome of the venue draw they applied for |
| seat_offer, seat_confirmation | essential | a workshop seat they must confirm, or got |
| allocation_result | essential | which workshops they got |
| registration_canceled | essential | confirms what they did |
| activity_changed | essential | a change of time or room of their own sessions |
| join_link | essential | the way into an online workshop they hold a seat in |
| reminder | essential | see the comment at `ESSENTIAL_KINDS` |
| reconfirm(_reminder, _released, _declined) | essential | whether they keep their place |
| staff_invite | essential | an account an organiser made for them |
| staff_login_notice | essential | somebody is guessing the password of their account |
| window_notice | news | organisers are told about a moment they can also see on the dashboard |
| stream_starting | news | a nudge about a stream they follow; the agenda already has it |
| broadcast | chosen | the organiser marks each broadcast as essential or as news |

Every news mail carries a signed unsubscribe link in its footer (text and HTML) and, from the
sender, the `List-Unsubscribe` and `List-Unsubscribe-Post` headers of RFC 8058, so a mail
client's own "unsubscribe" button works in one click. Jobs and broadcasts leave out people who
opted out when they queue, and the sender drops a queued news mail (status `suppressed`) when
the person opted out in between. The link carries no expiry: it must keep working for as long
as the mails it came with are read. It only ever turns news off (or back on), so a leaked link
costs nothing but news.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from conference import hooks
from conference.extensions import db
from conference.models import User

# The day-before reminder is essential: it is the one mail with the practical information of
# the day (the address, when the doors open, the ticket again; for online attendees their
# links), sent once. Somebody who turned off news still wants to find the venue or the stream:
# suppressing it would cost people their day to spare them one mail.
ESSENTIAL_KINDS = frozenset({
    "registration_confirmation", "registration_confirmation_resend", "ticket", "login_link",
    "venue_offer", "venue_offer_expired", "seat_offer", "seat_confirmation",
    "allocation_result", "registration_canceled", "activity_changed", "join_link", "reminder",
    "staff_invite", "staff_login_notice", "reconfirm", "reconfirm_reminder", "reconfirm_released",
    "draw_result",
    "reconfirm_declined",
})  # fmt: skip
NEWS_KINDS = frozenset({"window_notice", "stream_starting"})
# Kinds whose class the sender of each message chooses (an organiser's broadcast).
CHOSEN_KINDS = frozenset({"broadcast"})

SALT = "mail.unsubscribe"
# Whose preference a token names: a registration (attendees) or a staff account (organisers).
TARGETS = ("r", "u")
UNSUBSCRIBE_ENDPOINT = "registration.unsubscribe"
ONE_CLICK_ENDPOINT = "registration.unsubscribe_one_click"


def is_news(kind: str) -> bool:
    """Whether mails of this kind are always news (suppressible); unknown kinds are essential."""
    return kind in NEWS_KINDS


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=SALT)


def news_token(target: str, ident: int) -> str:
    """The signed token of an unsubscribe link for a registration ("r") or an account ("u")."""
    if target not in TARGETS:
        raise ValueError(f"unknown unsubscribe target {target!r}")
    return _serializer().dumps([target, int(ident)])


def read_news_token(token: str) -> tuple[str, int] | None:
    """The (target, id) a token names, or None when it is not one of ours (tampered, cut off)."""
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    if (
        not isinstance(data, list)
        or len(data) != 2
        or data[0] not in TARGETS
        or not isinstance(data[1], int)
        or isinstance(data[1], bool)
    ):
        return None
    return data[0], data[1]


def _account_opted_out(user_id: int) -> bool:
    user = db.session.get(User, user_id)
    return user is None or user.news_opt_out_at is not None


def opted_out(token: str | None) -> bool:
    """Whether the person behind a news token turned news off; an unreadable token counts as
    opted out, so a mail that cannot be unsubscribed from is not sent."""
    if not token:
        return False
    target = read_news_token(token)
    if target is None:
        return True
    kind, ident = target
    if kind == "u":  # the kernel knows accounts; registrations answer through the hook
        return _account_opted_out(ident)
    return bool(hooks.first(hooks.news_opted_out, kind, ident=ident))


def _external(endpoint: str, **values: str) -> str:
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "http"
    )
    return adapter.build(endpoint, values, force_external=True)


def unsubscribe_url(token: str, language: str = "nl") -> str:
    """The footer link: a page in the person's language with a confirm button."""
    values = {"token": token}
    if language and language != "nl":
        values["lang"] = language
    return _external(UNSUBSCRIBE_ENDPOINT, **values)


def one_click_url(token: str) -> str:
    """The `List-Unsubscribe` address: a POST there turns news off at once (RFC 8058)."""
    return _external(ONE_CLICK_ENDPOINT, token=token)

"""The authorization matrix of every route, generated from the URL map.

Every view either declares its roles (the `role_required`/`organiser_required`/
`attendee_required` decorators set `required_roles`) or is listed here as public, with why. A new
route with neither fails this test, so nobody adds a staff page and forgets its check.
"""

from __future__ import annotations

import re

from tests.factories import attendee, token_for
from tests.helpers import bearer, view_roles

# Public endpoints, by design: the reason sits next to each group.
PUBLIC = {
    # static files and health
    "static", "conference.healthz",
    # the installable scanner's worker and manifest: code and icons, no data (like static)
    "checkin.service_worker", "checkin.manifest",
    # public pages: the programme, practical info, language, staff login and logout
    "sessions.home", "sessions.programme", "sessions.activity", "sessions.theme",
    "conference.practical", "conference.set_language", "conference.staff_login",
    "conference.logout",
    # the API's public parts (API.md): programme, registration, the document itself
    "api.openapi", "sessions_api.programme",
    # the live event stream: the page that showed the topics signed a grant for them, which the
    # stream checks (403 otherwise); it sends topic names and version numbers, never content
    "live.events",
}  # fmt: skip
# Endpoints whose access is a secret in the URL (a ticket, a login link, a feed token, a
# certificate code, an invitation, an offer): public routes that check the secret themselves.
SECRET_IN_URL = re.compile(
    r"ticket|login|magic|feed|calendar_feed|verify|certificate_check|invite|set_password|offer|"
    r"unsubscribe|manage_link|register|accept|decline"
)
STAFF_ROLES = ("organiser", "checkin", "moderator")


def _sample_url(rule) -> str:
    values = {}
    for name, converter in rule._converters.items():
        values[name] = 1 if type(converter).__name__ in ("IntegerConverter", "IdConverter") else "x"
    return rule.build(values, append_unknown=False)[1]


def _rules(app):
    for rule in app.url_map.iter_rules():
        yield rule, view_roles(app, rule.endpoint)


def test_every_route_declares_who_may_use_it(app):
    undeclared = [
        f"{rule.rule} ({rule.endpoint})"
        for rule, roles in _rules(app)
        if roles is None and rule.endpoint not in PUBLIC and not SECRET_IN_URL.search(rule.endpoint)
    ]
    assert not undeclared, "routes without a role rule or a public reason:\n" + "\n".join(
        undeclared
    )


def _call(client, method: str, url: str, headers=None):
    return client.open(
        url, method=method, headers=headers or {}, json={} if method != "GET" else None
    )


def test_the_matrix_anonymous_attendee_and_each_staff_role(app, client, tokens):
    failures = []
    for rule, roles in _rules(app):
        if not roles or rule.endpoint == "static":
            continue
        url = _sample_url(rule)
        is_api = rule.rule.startswith("/api/")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            # anonymous: the API says 401; pages send people to a login page
            status = _call(client, method, url).status_code
            if (is_api and status != 401) or (not is_api and status not in (302, 401)):
                failures.append(f"anonymous {method} {url}: {status}")
            if not is_api:
                continue  # pages: the role checks are the same decorator, tested via the API
            # A fresh attendee per call: DELETE /api/v1/me revokes the token.
            callers = {"attendee": token_for(attendee()), **tokens}
            for caller, token in callers.items():
                allowed = caller in roles or (
                    caller == "organiser" and set(roles) & set(STAFF_ROLES)
                )
                answer = _call(client, method, url, bearer(token))
                status = answer.status_code
                if not allowed and status != 403:
                    failures.append(f"{caller} {method} {url}: {status}, expected 403")
                # A 403 with another word than "forbidden" is the role let in and a rule of the
                # domain refusing this person (e.g. `not_visible`: not in the directory oneself).
                refused_by_role = status == 403 and (answer.json or {}).get("error") == "forbidden"
                if allowed and (status == 401 or refused_by_role):
                    failures.append(f"{caller} {method} {url}: {status}, expected access")
    assert not failures, "\n".join(failures)

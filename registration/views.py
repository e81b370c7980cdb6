"""Registration pages: the form (two steps when the venue is full) and the ticket pages.

The personal pages (login link, manage, edit, cancel, erase) are in `account_views.py`, on the
same blueprint.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user

from conference.auth import UNPROVEN_SESSION, public
from conference.clock import utcnow
from conference.errors import Invalid
from conference.extensions import db, limiter
from conference.i18n import lang
from conference.mail.qr import qr_png, qr_svg
from conference.models import User
from conference.services import current_conference
from registration.access import current_registration
from registration.contingents.guard import with_code_guard
from registration.forms import SECTOR_SUGGESTIONS, RegistrationForm
from registration.journey import next_steps
from registration.questions.forms import form_with_questions, posted_answers, show_answer_errors
from registration.services import AlreadyRegistered, RegistrationClosed, VenueFull, register
from registration.tickets import active_ticket, ticket_url
from registration.validation import clean_email
from registration.venue import quotas_active

bp = Blueprint("registration", __name__)

# Generous per address: a whole team may register from one office network in the rush.
REGISTER_LIMIT = "30/minute;300/hour"


def private(response: Response) -> Response:
    """Headers for pages whose URL is a secret: not stored by caches, not indexed.

    Their templates also carry `<meta name="referrer" content="no-referrer">`, which browsers
    apply over the site-wide Referrer-Policy header, so the secret never leaves in a Referer.
    """
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def apply_errors(form: Any, fields: dict[str, Any] | None) -> dict[str, Any]:
    """Put the rules' messages next to the form's fields; returns the ones without a field."""
    rest = {}
    for name, message in (fields or {}).items():
        field = getattr(form, name, None)
        if field is None:
            rest[name] = message
        else:
            field.errors = [message]
    return rest


def _window_page(conf, now):
    if now < conf.registration_opens_at:
        return render_template("registration/not_open.html", conf=conf, state="before"), 200
    return render_template("registration/not_open.html", conf=conf, state="after"), 200


def _form_page(form, conf, status=200, step=1, general=None, already=None):
    template = "registration/venue_choice.html" if step == 2 else "registration/register.html"
    return render_template(
        template,
        form=form,
        conf=conf,
        questions=form.questions,
        suggestions=SECTOR_SUGGESTIONS,
        quotas=quotas_active(conf, utcnow()),
        general=general,
        already=already,
        existing=current_registration(required=False) if current_user.is_authenticated else None,
    ), status


@bp.route("/inschrijven", methods=["GET", "POST"], endpoint="register")
@limiter.limit(REGISTER_LIMIT, methods=["POST"])
@public
def register_page():
    """Register: one short form; a second step only when no on-site place is left."""
    conf = current_conference()
    now = utcnow()
    if not conf.registration_open(now):
        return _window_page(conf, now)
    form = form_with_questions(RegistrationForm, conf.id)
    if request.method == "GET":
        form.language.data = form.language.data or lang()
        return _form_page(form, conf)
    form.validate_on_submit()  # only the CSRF token; the shared rules check the rest
    if request.form.get("back"):
        form.step.data = "1"
        return _form_page(form, conf)
    second_step = form.step.data == "2"
    venue_choice = form.venue_choice.data if second_step else None
    if second_step and not venue_choice:
        form.venue_choice.errors = [_l("Kies wat je wilt doen.")]
        return _form_page(form, conf, 422, step=2)
    try:
        data = {**form.data_for_rules(), "answers": posted_answers(form)}
        result = with_code_guard(
            request.remote_addr,
            data,
            lambda: register(data, venue_choice=venue_choice, language=lang()),
        )
    except Invalid as exc:
        general = apply_errors(form, show_answer_errors(form, exc.fields))
        return _form_page(form, conf, 422, general=general)
    except VenueFull:
        form.step.data = "2"
        return _form_page(form, conf, 200, step=2)
    except AlreadyRegistered as exc:
        form.email.errors = [exc.message]
        return _form_page(form, conf, 409, already=clean_email(form.email.data)[0])
    except RegistrationClosed:
        return _window_page(conf, utcnow())
    if result.new_user:
        # A new account made by this very form: open the personal page in this browser.
        user = db.session.get(User, result.user_id)
        login_user(user)
        session.permanent = True
        # Nobody proved the address yet: this session ends once somebody does (conference.auth).
        session[UNPROVEN_SESSION] = True
    session["registered"] = {
        "status": result.status,
        "mode": result.mode,
        "waiting": result.venue_waitlisted,
        "email": clean_email(form.email.data)[0],  # as stored and written to
    }
    return redirect(url_for("registration.done"), code=303)


@bp.get("/inschrijven/klaar")
@public
def done():
    """Thank you: what the registration came to and what happens next."""
    info = session.get("registered")
    if not info:
        return redirect(url_for("registration.register"))
    conf = current_conference()
    steps = next_steps(
        conf, status=info["status"], mode=info["mode"], waiting=bool(info.get("waiting"))
    )
    return render_template("registration/done.html", info=info, conf=conf, steps=steps)


def _ticket_or_404(secret: str):
    ticket = active_ticket(db.session, secret)
    if ticket is None:
        response = current_app.make_response(
            (render_template("registration/ticket_invalid.html"), 404)
        )
        return None, private(response)
    return ticket, None


@bp.get("/t/<secret>")
@public
def ticket(secret: str):
    """The ticket page behind the QR code (shown to whoever holds the secret)."""
    found, missing = _ticket_or_404(secret)
    if missing is not None:
        return missing
    html = render_template(
        "registration/ticket.html",
        ticket=found,
        reg=found.registration,
        url=ticket_url(found),
        conf=found.registration.conference,
    )
    return private(current_app.make_response(html))


@bp.get("/t/<secret>/afdrukken")
@public
def ticket_print(secret: str):
    """A printable ticket: A4 or A6 (?formaat=a6)."""
    found, missing = _ticket_or_404(secret)
    if missing is not None:
        return missing
    size = "a6" if request.args.get("formaat") == "a6" else "a4"
    html = render_template(
        "registration/ticket_print.html",
        ticket=found,
        reg=found.registration,
        url=ticket_url(found),
        size=size,
        conf=found.registration.conference,
    )
    return private(current_app.make_response(html))


@bp.get("/t/<secret>/qr.svg")
@public
def ticket_qr_svg(secret: str):
    """The ticket's QR code as SVG (it encodes the ticket URL, nothing personal)."""
    found, missing = _ticket_or_404(secret)
    if missing is not None:
        return missing
    return private(Response(qr_svg(ticket_url(found)), mimetype="image/svg+xml"))


@bp.get("/t/<secret>/qr.png")
@public
def ticket_qr_png(secret: str):
    """The ticket's QR code as PNG."""
    found, missing = _ticket_or_404(secret)
    if missing is not None:
        return missing
    return private(Response(qr_png(ticket_url(found), box=10), mimetype="image/png"))

"""Colleagues pages: the coordinator's page (invite, group, resend) and the colleague's answer.

Both join the registration blueprint (`registration.colleagues`, `registration.colleague_confirm`,
...), like the other personal pages. The colleague's link works like a login link: the GET
shows the form, only the POST uses it.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_limiter.util import get_remote_address
from flask_login import current_user

from conference.auth import public
from conference.errors import DomainError, Invalid
from conference.extensions import limiter
from registration.account.views import attendee_page
from registration.colleagues import confirm, services
from registration.colleagues.forms import (
    MORE_ROWS,
    ROWS,
    ConfirmInvitationForm,
    invite_form,
    put_errors,
)
from registration.colleagues.holds import hold_hours
from registration.forms import SECTOR_SUGGESTIONS, ConfirmForm
from registration.questions.forms import form_with_questions, posted_answers, show_answer_errors
from registration.views import apply_errors, bp, private

# Per coordinator (by account): invitation batches and resends.
INVITE_LIMIT = "10/minute;60/hour"
ANSWER_LIMIT = "10/minute;60/hour"


def per_person() -> str:
    """Rate-limit key: the account when logged in (a team shares one office network)."""
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return get_remote_address()


def row_count() -> int:
    """Five rows, or twenty after the "meer rijen" link."""
    return MORE_ROWS if request.values.get("rijen") == str(MORE_ROWS) else ROWS


def colleagues_page(reg, form, status=200, general=None, answers=None, template=None):
    """The coordinator's page (or the organiser's, with `template`): group and form."""
    return render_template(
        template or "registration/colleagues/colleagues.html",
        reg=reg,
        form=form,
        group=services.group_of(reg.id),
        general=general,
        answers=answers,
        resend=ConfirmForm(formdata=None),
        more_rows=form.rows < MORE_ROWS,
        hold_hours=int(hold_hours(reg.conference)),
    ), status


def invite_from_form(reg, form, actor=None):
    """Send the form's rows to the service: (answers, errors without a field, HTTP status)."""
    rows, numbers = form.colleagues()
    try:
        return services.invite_colleagues(reg.id, rows, actor=actor), None, 200
    except Invalid as exc:
        return None, put_errors(form, numbers, exc.fields), exc.status
    except DomainError as exc:
        return None, {"error": exc.message}, exc.status


@bp.route("/mijn-inschrijving/collegas", methods=["GET", "POST"])
@limiter.limit(INVITE_LIMIT, methods=["POST"], key_func=per_person)
@attendee_page
def colleagues(reg):
    """Invite colleagues (a fixed number of rows, no script needed) and see their status."""
    form = invite_form(row_count(), reg.language)
    if request.method == "GET":
        return colleagues_page(reg, form)
    form.validate_on_submit()  # the CSRF token; the shared rules check the rest
    answers, general, status = invite_from_form(reg, form)
    if answers is None:
        return colleagues_page(reg, form, status, general=general)
    fresh = invite_form(ROWS, reg.language, formdata=None)
    return colleagues_page(reg, fresh, answers=answers)


@bp.post("/mijn-inschrijving/collegas/<int:invitation_id>/opnieuw")
@limiter.limit(INVITE_LIMIT, key_func=per_person)
@attendee_page
def resend_colleague(reg, invitation_id: int):
    """Mail an invitation again, with a new link."""
    ConfirmForm().validate_on_submit()
    try:
        services.resend_invitation(reg.id, invitation_id)
    except DomainError as exc:
        flash(str(exc.message), "error")
    else:
        flash(gettext("De uitnodiging is opnieuw verstuurd."), "success")
    return redirect(url_for("registration.colleagues"), code=303)


def _answer_page(template, status=200, **context):
    page = render_template(template, **context)
    return private(current_app.make_response((page, status)))


def _gone():
    return _answer_page("registration/colleagues/invitation_gone.html", 410)


@bp.route("/collega/<token>", methods=["GET", "POST"])
@limiter.limit(ANSWER_LIMIT, methods=["POST"])
@public
def colleague_confirm(token: str):
    """The colleague's form: their own data, mode and consent; the POST uses the link."""
    invitation = confirm.open_invitation(token)
    if invitation is None:
        return _gone()
    reg = invitation.registration
    # The organisers' questions as on the registration form: both modes, checked by the mode.
    form = form_with_questions(
        ConfirmInvitationForm, reg.conference_id, obj=reg if request.method == "GET" else None
    )
    context = {"form": form, "reg": reg, "conf": reg.conference, "token": token,
               "questions": form.questions, "suggestions": SECTOR_SUGGESTIONS}  # fmt: skip
    if request.method == "GET":
        form.consent.data = False  # the coordinator never consents for them
        return _answer_page("registration/colleagues/confirm.html", **context)
    form.validate_on_submit()
    try:
        data = {**form.data_for_rules(), "answers": posted_answers(form)}
        outcome = confirm.confirm_invitation(token, data)
    except Invalid as exc:
        general = apply_errors(form, show_answer_errors(form, exc.fields))
        return _answer_page("registration/colleagues/confirm.html", 422, general=general, **context)
    except DomainError as exc:
        if exc.code == "invitation_invalid":
            return _gone()
        return _answer_page(
            "registration/colleagues/confirm.html", exc.status, general={"error": exc.message},
            **context,
        )  # fmt: skip
    return _answer_page("registration/colleagues/confirmed.html", outcome=outcome)


@bp.route("/collega/<token>/weigeren", methods=["GET", "POST"])
@limiter.limit(ANSWER_LIMIT, methods=["POST"])
@public
def colleague_decline(token: str):
    """Decline the invitation: a confirm step, then the registration is canceled."""
    invitation = confirm.open_invitation(token)
    if invitation is None:
        return _gone()
    form = ConfirmForm()
    if request.method == "GET":
        return _answer_page(
            "registration/colleagues/decline.html", form=form, token=token,
            conf=invitation.registration.conference,
        )  # fmt: skip
    form.validate_on_submit()
    try:
        confirm.decline_invitation(token)
    except DomainError:
        return _gone()
    return _answer_page("registration/colleagues/declined.html")

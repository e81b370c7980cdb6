"""Staff accounts screen: list, invite, change role, (de)activate, revoke and issue API tokens."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from conference.admin import ConfirmForm, actor
from conference.auth import organiser_required
from conference.backoffice import staff
from conference.backoffice.blueprint import bp
from conference.backoffice.forms import (
    InviteForm,
    RoleForm,
    SetPasswordForm,
    TokenForm,
    role_choices,
)
from conference.errors import DomainError, Invalid
from conference.extensions import limiter
from conference.services import current_conference


def _link_for(token: str) -> str:
    base = current_app.config["BASE_URL"].rstrip("/")
    return base + url_for("backoffice.set_password", token=token)


def _render_list(invite: InviteForm | None = None, status: int = 200):
    return render_template(
        "backoffice/staff.html",
        conf=current_conference(),
        accounts=staff.staff_accounts(),
        tokens=staff.active_token_counts(),
        invite=invite or InviteForm(),
        roles=role_choices(),
        confirm=ConfirmForm(),
        token_form=TokenForm(),
        section="staff",
    ), status


@bp.get("/medewerkers", endpoint="staff")
@organiser_required
def staff_list():
    """Every staff account with its role, state and tokens."""
    return _render_list()


@bp.post("/medewerkers")
@organiser_required
def staff_invite():
    """Invite a staff member: the account gets a one-time link to choose a password."""
    form = InviteForm()
    if not form.validate_on_submit():
        return _render_list(form, 422)
    try:
        user = staff.invite_staff(
            email=form.email.data,
            role=form.role.data,
            name=form.name.data,
            actor=actor(),
            link_for=_link_for,
        )
    except Invalid as exc:
        for key, message in (exc.fields or {}).items():
            getattr(form, key).errors.append(message)
        return _render_list(form, 422)
    flash(_("Uitnodiging verstuurd naar %(email)s.", email=user.email), "success")
    return redirect(url_for("backoffice.staff"))


@bp.post("/medewerkers/<int:user_id>/rol")
@organiser_required
def staff_role(user_id: int):
    """Change a staff member's role."""
    form = RoleForm()
    if form.validate_on_submit():
        staff.change_role(user_id, form.role.data, actor=actor(), reason=form.reason.data)
        flash(_("De rol is gewijzigd."), "success")
    else:
        flash(_("Kies een geldige rol."), "error")
    return redirect(url_for("backoffice.staff"))


@bp.post("/medewerkers/<int:user_id>/uitschakelen")
@organiser_required
def staff_deactivate(user_id: int):
    """Deactivate an account: it is logged out and its tokens stop working."""
    form = ConfirmForm()
    if form.validate_on_submit():
        staff.set_active(user_id, False, actor=actor(), reason=form.reason.data)
        flash(_("Het account is uitgeschakeld en de sleutels zijn ingetrokken."), "success")
    return redirect(url_for("backoffice.staff"))


@bp.post("/medewerkers/<int:user_id>/inschakelen")
@organiser_required
def staff_activate(user_id: int):
    """Reactivate an account."""
    form = ConfirmForm()
    if form.validate_on_submit():
        staff.set_active(user_id, True, actor=actor(), reason=form.reason.data)
        flash(_("Het account is weer actief."), "success")
    return redirect(url_for("backoffice.staff"))


@bp.post("/medewerkers/<int:user_id>/sleutels-intrekken")
@organiser_required
def staff_revoke_tokens(user_id: int):
    """Revoke every API token of an account."""
    form = ConfirmForm()
    if form.validate_on_submit():
        count = staff.revoke_tokens(user_id, actor=actor(), reason=form.reason.data)
        flash(_("%(num)d sleutel(s) ingetrokken.", num=count), "success")
    return redirect(url_for("backoffice.staff"))


@bp.post("/medewerkers/<int:user_id>/sleutel")
@organiser_required
def staff_issue_token(user_id: int):
    """Issue a new API token and show it once (it is not stored, so it cannot be shown again)."""
    form = TokenForm()
    if not form.validate_on_submit():
        return redirect(url_for("backoffice.staff"))
    raw = staff.issue_token(user_id, actor=actor(), label=form.label.data)
    response = render_template(
        "backoffice/staff_token.html",
        conf=current_conference(),
        account=staff.staff_account(user_id),
        token=raw,
        section="staff",
    )
    # The token is in this page only: no cache may keep it.
    return response, 200, {"Cache-Control": "no-store"}


@bp.route("/wachtwoord/<token>", methods=["GET", "POST"])
@limiter.limit("10/minute", methods=["POST"])
def set_password(token: str):
    """Public: the one-time link from an invitation, to choose a password."""
    form = SetPasswordForm()
    headers = {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}
    try:
        user = staff.user_for_invite(token)
    except Invalid as exc:
        page = render_template("backoffice/set_password.html", form=None, error=exc.message)
        return page, 400, headers
    if form.validate_on_submit():
        try:
            staff.set_password(token, form.password.data)
        except DomainError as exc:
            for key, message in (exc.fields or {}).items():
                getattr(form, key).errors.append(message)
            if not exc.fields:
                page = render_template("backoffice/set_password.html", form=None, error=exc.message)
                return page, 400, headers
        else:
            flash(_("Je wachtwoord is ingesteld. Meld je nu aan."), "success")
            return redirect(url_for("conference.staff_login"))
    status = 422 if form.errors else 200
    return render_template("backoffice/set_password.html", form=form, user=user), status, headers

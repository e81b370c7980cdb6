"""People screens: search, a person's page, and the organiser actions on it (thin views)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from conference.admin import ConfirmForm, actor, page_number, paginate, show_domain_error
from conference.auth import organiser_required
from conference.errors import DomainError, Invalid
from conference.models import Conference
from conference.services import current_conference
from conference.validation import as_id
from registration.admin import people, services
from registration.admin.forms import ModeForm, PersonForm, RegisterForm, SearchForm
from registration.questions.services import answer_filter, answer_options
from registration.reconfirm.services import unconfirmed_among
from registration.services import reissue_ticket

bp = Blueprint("people_admin", __name__, url_prefix="/beheer")


@bp.get("/deelnemers", endpoint="people")
@organiser_required
def people_search():
    """Search people by name, e-mail or organisation; filter by mode, status, profile, activity."""
    conf = current_conference()
    form = SearchForm(request.args)
    form.activity.choices = [("", _("alle")), *people.activity_choices(conf)]
    form.answer.choices = [("", _("alle")), *answer_options(conf.id)]
    form.validate()
    activity = request.args.get("activity", "")
    filters = people.Filters(
        # A text the rule refused (a control character) searches nothing; the field says why.
        q="" if form.q.process_errors else (form.q.data or ""),
        mode=form.mode.data or "",
        status=form.status.data or "",
        profile=form.profile.data or "",
        activity=as_id(activity),
        answer=answer_filter(request.args),
        reconfirm=form.reconfirm.data or "",
    )
    pager = paginate(people.search_query(conf, filters), page_number(), per_page=50)
    unconfirmed = unconfirmed_among(conf.id, [r.id for r in pager.items])
    return render_template(
        "registration/admin/people.html",
        conf=conf,
        form=form,
        pager=pager,
        filters=filters,
        unconfirmed=unconfirmed,
        section="people",
    ), 422 if form.q.process_errors else 200


def person_page(conf: Conference, reg_id: int, status: int = 200, **forms: Any):
    """A person's page; `forms` are refused forms to show again with their messages."""
    file = people.person_file(conf, reg_id, forms)
    reg = file.registration
    edit = forms.get("edit") or PersonForm(obj=reg, formdata=None, prefix="edit")
    mode = forms.get("mode") or ModeForm(data={"mode": reg.mode}, formdata=None, prefix="mode")
    return render_template(
        "registration/admin/person.html",
        conf=conf,
        file=file,
        reg=reg,
        edit=edit,
        mode_form=mode,
        confirm=ConfirmForm(formdata=None),
        section="people",
    ), status


def back_to_person(reg_id: int, anchor: str = ""):
    """Back to the person's page (after an action), at `anchor`."""
    return redirect(url_for("people_admin.person", registration_id=reg_id) + anchor)


@bp.get("/deelnemers/<int:registration_id>")
@organiser_required
def person(registration_id: int):
    """A person's registration, seats, choices, tickets, scans, mails and history."""
    return person_page(current_conference(), registration_id)


@bp.post("/deelnemers/<int:registration_id>/gegevens")
@organiser_required
def person_edit(registration_id: int):
    """Change a person's data."""
    conf = current_conference()
    people.get_person(conf, registration_id)
    form = PersonForm(prefix="edit")
    if form.validate_on_submit():
        data = {name: getattr(form, name).data for name in services.EDIT_FIELDS}
        try:
            services.edit_person(registration_id, data, actor=actor(), reason=form.reason.data)
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            flash(_("De gegevens zijn aangepast."), "success")
            return back_to_person(registration_id)
    return person_page(conf, registration_id, 422, edit=form)


@bp.post("/deelnemers/<int:registration_id>/deelname")
@organiser_required
def person_mode(registration_id: int):
    """Switch between on site and online (the venue cap and its waiting list apply)."""
    conf = current_conference()
    people.get_person(conf, registration_id)
    form = ModeForm(prefix="mode")
    if form.validate_on_submit():
        try:
            outcome = services.change_mode(
                registration_id, form.mode.data, actor=actor(), reason=form.reason.data
            )
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            messages = {
                "registered": _("Deze persoon heeft nu een plaats ter plaatse."),
                "waitlisted": _("Ter plaatse is vol: deze persoon staat nu op de wachtlijst."),
                "online": _("Deze persoon volgt nu online."),
            }
            flash(messages.get(outcome or "", _("Er veranderde niets.")), "success")
            return back_to_person(registration_id)
    return person_page(conf, registration_id, 422, mode=form)


def _simple_action(
    registration_id: int, run: Callable[[Conference, str | None], Any], done: str, anchor: str = ""
):
    """A button with a confirm form: run the action, say how it went, back to the person."""
    conf = current_conference()
    people.get_person(conf, registration_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            run(conf, form.reason.data)
        except DomainError as exc:
            flash(str(exc.message), "error")
        else:
            flash(done, "success")
    return back_to_person(registration_id, anchor)


@bp.post("/deelnemers/<int:registration_id>/annuleren")
@organiser_required
def person_cancel(registration_id: int):
    """Cancel the registration: seats and the on-site place are freed, the ticket is revoked."""
    return _simple_action(
        registration_id,
        lambda conf, reason: services.cancel_person(registration_id, actor=actor(), reason=reason),
        _("De inschrijving is geannuleerd."),
    )


@bp.post("/deelnemers/<int:registration_id>/ticket")
@organiser_required
def person_reissue(registration_id: int):
    """Revoke the ticket and mail a new one."""
    return _simple_action(
        registration_id,
        lambda conf, reason: reissue_ticket(
            registration_id, actor=actor(), reason=reason, conference_id=conf.id
        ),
        _("Er is een nieuw ticket gemaakt en verstuurd. Het oude werkt niet meer."),
        "#tickets",
    )


@bp.post("/deelnemers/<int:registration_id>/aanmeldlink")
@organiser_required
def person_login_link(registration_id: int):
    """Mail the person a link to their personal page."""
    return _simple_action(
        registration_id,
        lambda conf, _reason: services.send_login_link(conf, registration_id, actor=actor()),
        _("Er is een link naar de persoonlijke pagina verstuurd."),
    )


@bp.post("/deelnemers/<int:registration_id>/bevestiging")
@organiser_required
def person_resend_confirmation(registration_id: int):
    """Mail the confirmation again, with a fresh personal link (and the ticket when on site)."""
    return _simple_action(
        registration_id,
        lambda conf, _reason: services.resend_confirmation(registration_id, actor=actor()),
        _("De bevestiging is opnieuw verstuurd, met een nieuwe persoonlijke link."),
    )


def _registration_data(form: RegisterForm) -> dict[str, Any]:
    """The form's answers as the registration service reads them (blanks left out)."""
    data = {
        name: (f.data.strip() if isinstance(f.data, str) else f.data)
        for name, f in form._fields.items()
        if name not in ("csrf_token", "reason", "venue_choice")
    }
    return {k: v for k, v in data.items() if v not in ("", None) or k == "consent"}


@bp.route("/deelnemers/nieuw", methods=["GET", "POST"])
@organiser_required
def person_new():
    """Register someone by hand, e.g. a person who phones in."""
    conf = current_conference()
    form = RegisterForm()
    status = 200
    if form.validate_on_submit():
        data = _registration_data(form)
        try:
            result = services.register_by_hand(
                data,
                venue_choice=form.venue_choice.data or None,
                actor=actor(),
                reason=form.reason.data,
            )
        except Invalid as exc:
            show_domain_error(form, exc)
        except DomainError as exc:
            form.form_errors.append(exc.message)
        else:
            flash(
                _("Ingeschreven. De bevestiging gaat naar %(email)s.", email=data["email"]),
                "success",
            )
            return redirect(url_for("people_admin.person", registration_id=result.id))
        status = 422
    elif request.method == "POST":
        status = 422
    return render_template(
        "registration/admin/person_new.html", conf=conf, form=form, section="people"
    ), status

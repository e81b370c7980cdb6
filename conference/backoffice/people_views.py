"""People screens: search, a person's page, and the organiser actions on it."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from conference.admin import ConfirmForm, actor
from conference.auth import organiser_required
from conference.backoffice import people as service
from conference.backoffice.blueprint import bp
from conference.backoffice.common import page_number, paginate
from conference.backoffice.people_forms import (
    ModeForm,
    MoveForm,
    PersonForm,
    RegisterForm,
    SearchForm,
)
from conference.errors import DomainError, Invalid
from conference.services import current_conference
from conference.validation import as_id
from sessions.programme import services as programme_services


def _seated_choices(conf: Any) -> list[tuple[str, str]]:
    return [
        (str(a.id), a.title)
        for a in programme_services.activities(conf, published_only=True)
        if a.seated
    ]


@bp.get("/deelnemers", endpoint="people")
@organiser_required
def people_search():
    """Search people by name, e-mail or organisation; filter by mode, status, profile, activity."""
    conf = current_conference()
    form = SearchForm(request.args)
    form.activity.choices = [("", _("alle")), *_seated_choices(conf)]
    form.validate()
    activity = request.args.get("activity", "")
    filters = service.Filters(
        # A text the rule refused (a control character) searches nothing; the field says why.
        q="" if form.q.process_errors else (form.q.data or ""),
        mode=form.mode.data or "",
        status=form.status.data or "",
        profile=form.profile.data or "",
        activity=as_id(activity),
    )
    pager = paginate(service.search_query(conf, filters), page_number(), per_page=50)
    return render_template(
        "backoffice/people.html",
        conf=conf,
        form=form,
        pager=pager,
        filters=filters,
        section="people",
    ), 422 if form.q.process_errors else 200


def _person_page(conf: Any, reg_id: int, status: int = 200, **forms: Any):
    file = service.person_file(conf, reg_id)
    reg = file.registration
    edit = forms.get("edit") or PersonForm(obj=reg, formdata=None, prefix="edit")
    mode = forms.get("mode") or ModeForm(data={"mode": reg.mode}, formdata=None, prefix="mode")
    move = forms.get("move") or MoveForm(formdata=None, prefix="move")
    move.activity.choices = [("", _("kies een activiteit")), *_seated_choices(conf)]
    return render_template(
        "backoffice/person.html",
        conf=conf,
        file=file,
        reg=reg,
        edit=edit,
        mode_form=mode,
        move=move,
        confirm=ConfirmForm(formdata=None),
        section="people",
    ), status


@bp.get("/deelnemers/<int:registration_id>")
@organiser_required
def person(registration_id: int):
    """A person's registration, seats, choices, tickets, scans, mails and history."""
    return _person_page(current_conference(), registration_id)


def _errors_to(form: Any, exc: DomainError) -> None:
    fields = exc.fields or {}
    for key, message in fields.items():
        target = getattr(form, key, None)
        if target is not None and hasattr(target, "errors"):
            target.errors = [*list(target.errors), message]
        else:
            form.form_errors.append(f"{key}: {message}")
    if not fields:
        form.form_errors.append(exc.message)


def _back(reg_id: int, anchor: str = ""):
    return redirect(url_for("backoffice.person", registration_id=reg_id) + anchor)


@bp.post("/deelnemers/<int:registration_id>/gegevens")
@organiser_required
def person_edit(registration_id: int):
    """Change a person's data."""
    conf = current_conference()
    service.get_person(conf, registration_id)
    form = PersonForm(prefix="edit")
    if form.validate_on_submit():
        data = {name: getattr(form, name).data for name in service.EDIT_FIELDS}
        try:
            service.edit_person(registration_id, data, actor=actor(), reason=form.reason.data)
        except DomainError as exc:
            _errors_to(form, exc)
        else:
            flash(_("De gegevens zijn aangepast."), "success")
            return _back(registration_id)
    return _person_page(conf, registration_id, 422, edit=form)


@bp.post("/deelnemers/<int:registration_id>/deelname")
@organiser_required
def person_mode(registration_id: int):
    """Switch between on site and online (the venue cap and its waiting list apply)."""
    conf = current_conference()
    service.get_person(conf, registration_id)
    form = ModeForm(prefix="mode")
    if form.validate_on_submit():
        try:
            outcome = service.change_mode(
                registration_id, form.mode.data, actor=actor(), reason=form.reason.data
            )
        except DomainError as exc:
            _errors_to(form, exc)
        else:
            messages = {
                "registered": _("Deze persoon heeft nu een plaats ter plaatse."),
                "waitlisted": _("Ter plaatse is vol: deze persoon staat nu op de wachtlijst."),
                "online": _("Deze persoon volgt nu online."),
            }
            flash(messages.get(outcome or "", _("Er veranderde niets.")), "success")
            return _back(registration_id)
    return _person_page(conf, registration_id, 422, mode=form)


@bp.post("/deelnemers/<int:registration_id>/verplaatsen")
@organiser_required
def person_move(registration_id: int):
    """Give the person a seat at an activity; capacity is checked, the move is audited."""
    conf = current_conference()
    service.get_person(conf, registration_id)
    form = MoveForm(prefix="move")
    form.activity.choices = [("", ""), *_seated_choices(conf)]
    if form.validate_on_submit():
        if form.override.data and not (form.reason.data or "").strip():
            form.reason.errors = [_("Geef een reden als je de regels negeert.")]
        else:
            try:
                service.move_seat(
                    registration_id,
                    int(form.activity.data),
                    actor=actor(),
                    override=form.override.data,
                    reason=form.reason.data,
                )
            except DomainError as exc:
                _errors_to(form, exc)
            else:
                flash(_("De plaats is toegewezen."), "success")
                return _back(registration_id, "#seats")
    return _person_page(conf, registration_id, 409 if form.form_errors else 422, move=form)


def _simple_action(registration_id: int, run, done_message: str, anchor: str = ""):
    conf = current_conference()
    service.get_person(conf, registration_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            run(form.reason.data)
        except DomainError as exc:
            flash(str(exc.message), "error")
        else:
            flash(done_message, "success")
    return _back(registration_id, anchor)


@bp.post("/deelnemers/<int:registration_id>/annuleren")
@organiser_required
def person_cancel(registration_id: int):
    """Cancel the registration: seats and the on-site place are freed, the ticket is revoked."""
    return _simple_action(
        registration_id,
        lambda reason: service.cancel_person(registration_id, actor=actor(), reason=reason),
        _("De inschrijving is geannuleerd."),
    )


@bp.post("/deelnemers/<int:registration_id>/ticket")
@organiser_required
def person_reissue(registration_id: int):
    """Revoke the ticket and mail a new one."""
    return _simple_action(
        registration_id,
        lambda reason: service.reissue_ticket(registration_id, actor=actor(), reason=reason),
        _("Er is een nieuw ticket gemaakt en verstuurd. Het oude werkt niet meer."),
        "#tickets",
    )


@bp.post("/deelnemers/<int:registration_id>/aanmeldlink")
@organiser_required
def person_login_link(registration_id: int):
    """Mail the person a link to their personal page."""
    reg = service.get_person(current_conference(), registration_id)
    return _simple_action(
        registration_id,
        lambda reason: service.send_login_link(reg, actor=actor()),
        _("Er is een link naar de persoonlijke pagina verstuurd."),
    )


@bp.post("/deelnemers/<int:registration_id>/bevestiging")
@organiser_required
def person_resend_confirmation(registration_id: int):
    """Mail the confirmation again, with a fresh personal link (and the ticket when on site)."""
    reg = service.get_person(current_conference(), registration_id)
    return _simple_action(
        registration_id,
        lambda reason: service.resend_confirmation(reg, actor=actor()),
        _("De bevestiging is opnieuw verstuurd, met een nieuwe persoonlijke link."),
    )


@bp.route("/deelnemers/nieuw", methods=["GET", "POST"])
@organiser_required
def person_new():
    """Register someone by hand, e.g. a person who phones in."""
    conf = current_conference()
    form = RegisterForm()
    status = 200
    if form.validate_on_submit():
        data = {
            name: (f.data.strip() if isinstance(f.data, str) else f.data)
            for name, f in form._fields.items()
            if name not in ("csrf_token", "reason", "venue_choice")
        }
        data = {k: v for k, v in data.items() if v not in ("", None) or k == "consent"}
        try:
            result = service.register_by_hand(
                data,
                venue_choice=form.venue_choice.data or None,
                actor=actor(),
                reason=form.reason.data,
            )
        except Invalid as exc:
            _errors_to(form, exc)
        except DomainError as exc:
            form.form_errors.append(exc.message)
        else:
            flash(
                _("Ingeschreven. De bevestiging gaat naar %(email)s.", email=data["email"]),
                "success",
            )
            return redirect(url_for("backoffice.person", registration_id=result.id))
        status = 422
    elif request.method == "POST":
        status = 422
    return render_template(
        "backoffice/person_new.html", conf=conf, form=form, section="people"
    ), status

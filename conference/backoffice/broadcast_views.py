"""Broadcast screens: write a message, preview it with its audience, send it, see who got it."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from conference.admin import ConfirmForm, actor
from conference.auth import organiser_required
from conference.backoffice import broadcasts as service
from conference.backoffice.blueprint import bp
from conference.backoffice.forms import BroadcastForm
from conference.backoffice.models import AUDIENCES, BroadcastRecipient
from conference.errors import Invalid
from conference.extensions import db
from conference.services import current_conference
from conference.validation import as_id
from sessions.programme import services as programme_services


def _form(conf, obj=None) -> BroadcastForm:
    form = BroadcastForm(obj=obj) if request.method == "GET" else BroadcastForm()
    form.audience.choices = [(a, str(service.AUDIENCE_LABELS[a])) for a in AUDIENCES]
    form.kind.choices = [(k, str(label)) for k, label in service.KIND_LABELS.items()]
    if request.method == "GET" and obj is not None:
        form.kind.data = "essential" if obj.essential else "news"
    acts = programme_services.activities(conf, published_only=False)
    form.activity.choices = [("", _("kies een activiteit"))] + [
        (str(a.id), a.title) for a in acts if a.seated
    ]
    if request.method == "GET" and obj is not None and obj.activity_id:
        form.activity.data = str(obj.activity_id)
    form.answer.choices = [("", _("iedereen van die groep")), *service.answer_options(conf.id)]
    if request.method == "GET" and obj is not None:
        form.answer.data = obj.answer_filter or ""
    return form


def _data(form: BroadcastForm) -> dict:
    activity = form.activity.data
    return {
        "audience": form.audience.data,
        "activity_id": as_id(activity),
        "answer": form.answer.data or None,
        "subject": form.subject.data,
        "body": form.body.data,
        "subject_en": form.subject_en.data,
        "body_en": form.body_en.data,
        "essential": form.kind.data == "essential",
    }


def _compose(broadcast_id: int | None):
    conf = current_conference()
    draft = None if broadcast_id is None else service.get(conf, broadcast_id)
    if draft is not None and draft.sent_at is not None:
        return redirect(url_for("backoffice.broadcast", broadcast_id=draft.id))
    form = _form(conf, draft)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                saved = service.save_draft(
                    conf, _data(form), actor=actor(), broadcast_id=broadcast_id
                )
            except Invalid as exc:
                for key, message in (exc.fields or {}).items():
                    getattr(form, key).errors.append(message)
            else:
                return redirect(url_for("backoffice.broadcast", broadcast_id=saved.id))
        status = 422
    return render_template(
        "backoffice/broadcast_form.html", conf=conf, form=form, draft=draft, section="broadcasts"
    ), status


@bp.get("/berichten", endpoint="broadcasts")
@organiser_required
def broadcast_list():
    """Every broadcast: drafts and sent ones, with their audience and count."""
    conf = current_conference()
    return render_template(
        "backoffice/broadcasts.html",
        conf=conf,
        items=service.history(conf),
        labels=service.AUDIENCE_LABELS,
        section="broadcasts",
    )


@bp.route("/berichten/nieuw", methods=["GET", "POST"])
@organiser_required
def broadcast_new():
    """Write a new message; it is saved as a draft and previewed before anything is sent."""
    return _compose(None)


@bp.route("/berichten/<int:broadcast_id>/bewerken", methods=["GET", "POST"])
@organiser_required
def broadcast_edit(broadcast_id: int):
    """Change a draft."""
    return _compose(broadcast_id)


@bp.get("/berichten/<int:broadcast_id>")
@organiser_required
def broadcast(broadcast_id: int):
    """A draft's preview (what people get, to how many), or a sent message with its recipients."""
    conf = current_conference()
    item = service.get(conf, broadcast_id)
    subject, text, _html = service.preview(conf, item)
    recipients = []
    if item.sent_at is not None:
        recipients = db.session.scalars(
            select(BroadcastRecipient)
            .filter_by(broadcast_id=item.id)
            .order_by(BroadcastRecipient.id)
        ).all()
    activity = db.session.get(service.Activity, item.activity_id) if item.activity_id else None
    return render_template(
        "backoffice/broadcast.html",
        conf=conf,
        item=item,
        subject=subject,
        text=text,
        count=service.audience_count(
            conf,
            item.audience,
            item.activity_id,
            news=not item.essential,
            answer=item.answer_filter,
        ),
        opted_out=0
        if item.essential
        else service.audience_count(
            conf, item.audience, item.activity_id, answer=item.answer_filter
        )
        - service.audience_count(
            conf, item.audience, item.activity_id, news=True, answer=item.answer_filter
        ),
        answer_label=dict(service.answer_options(conf.id)).get(item.answer_filter),
        recipients=recipients,
        names=service.names_of([r.registration_id for r in recipients]),
        activity=activity,
        labels=service.AUDIENCE_LABELS,
        confirm=ConfirmForm(),
        section="broadcasts",
    )


@bp.post("/berichten/<int:broadcast_id>/versturen")
@organiser_required
def broadcast_send(broadcast_id: int):
    """Queue the message for everyone in the audience, once each."""
    form = ConfirmForm()
    if form.validate_on_submit():
        count = service.send(current_conference(), broadcast_id, actor=actor())
        flash(_("Het bericht staat klaar voor %(num)d personen.", num=count), "success")
    return redirect(url_for("backoffice.broadcast", broadcast_id=broadcast_id))

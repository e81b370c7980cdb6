"""Mail previews: every template in Dutch and English with sample data; nothing is ever sent.

The HTML part is served at its own address under a CSP without scripts or outside requests and
shown in a sandboxed frame, so a mail's inline styles never loosen the back office's own policy.
"""

from __future__ import annotations

from flask import Response, abort, render_template, request
from flask_babel import lazy_gettext as _l

from conference.auth import organiser_required
from conference.backoffice import mail_samples as samples
from conference.backoffice.blueprint import bp
from conference.security import page_policy

LANGUAGES = {"nl": "Nederlands", "en": "English"}
CLASS_LABELS = {
    "essential": _l("Belangrijk: altijd verstuurd"),
    "news": _l("Nieuws: met afmeldlink"),
    "chosen": _l("Per bericht gekozen: belangrijk of nieuws"),
}


def _variant(name: str) -> str:
    variants = samples.SAMPLES.get(name)
    if variants is None:
        abort(404)
    variant = request.args.get("variant") or next(iter(variants))
    if variant not in variants:
        abort(404)
    return variant


def _language(language: str) -> str:
    if language not in LANGUAGES:
        abort(404)
    return language


@bp.get("/e-mails", endpoint="mail_templates")
@organiser_required
def mail_templates():
    """Every mail the platform sends, with links to its preview in Dutch and English."""
    items = [
        {
            "name": name,
            "description": samples.DESCRIPTIONS.get(name, ""),
            "class": CLASS_LABELS[samples.mail_class(name)],
            "variants": list(samples.SAMPLES.get(name, {})),
        }
        for name in samples.template_names()
    ]
    return render_template(
        "backoffice/mail_templates.html",
        items=items,
        languages=LANGUAGES,
        variant_labels=samples.VARIANT_LABELS,
        section="mails",
    )


@bp.get("/e-mails/<name>/<language>", endpoint="mail_preview")
@page_policy(frames_self=True)
@organiser_required
def mail_preview(name: str, language: str):
    """One template in one language: subject, plain text, and the HTML in a sandboxed frame."""
    variant, language = _variant(name), _language(language)
    subject, text, _html = samples.render_sample(name, variant, language)
    return render_template(
        "backoffice/mail_preview.html",
        name=name,
        variant=variant,
        variants=list(samples.SAMPLES[name]),
        variant_labels=samples.VARIANT_LABELS,
        language=language,
        languages=LANGUAGES,
        description=samples.DESCRIPTIONS.get(name, ""),
        mail_class=CLASS_LABELS[samples.mail_class(name)],
        subject=subject,
        text=text,
        section="mails",
    )


@bp.get("/e-mails/<name>/<language>/html", endpoint="mail_preview_html")
@page_policy(framed_document=True)
@organiser_required
def mail_preview_html(name: str, language: str):
    """The HTML part alone, for the preview's frame (no scripts, no outside requests)."""
    variant, language = _variant(name), _language(language)
    _subject, _text, html = samples.render_sample(name, variant, language)
    response = Response(samples.inline_images(html), mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response

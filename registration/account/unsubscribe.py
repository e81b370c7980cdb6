"""Turning news mails off and on: the link in a mail's footer, the one-click POST of a mail
client (RFC 8058), and the switch on the personal page. The policy is in conference/mail_policy.
"""

from __future__ import annotations

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext

from conference.auth import public
from conference.extensions import csrf, limiter
from registration.account import mail_preferences
from registration.account.views import attendee_page
from registration.forms import ConfirmForm
from registration.views import bp, private

# Like the other public pages with a secret in the URL. The one-click address is posted to by
# the mail providers' servers, many people behind one address, so it allows more per address;
# the signed token is what authorises it, and a guessed one fails the signature.
PAGE_LIMIT = "30/minute"
ONE_CLICK_LIMIT = "300/minute"


def _page(person, status: int = 200) -> Response:
    page = render_template(
        "registration/unsubscribe.html",
        form=ConfirmForm(),
        person=person,
        address=mail_preferences.masked_email(person.email) if person else None,
    )
    return private(current_app.make_response((page, status)))


@bp.route("/afmelden/<token>", methods=["GET", "POST"])
@limiter.limit(PAGE_LIMIT)
@public
def unsubscribe(token: str):
    """The footer link: GET shows the choice, the POST (with CSRF) turns news off or on."""
    person = mail_preferences.subscriber(token)
    if person is None:
        return _page(None, 400)
    if request.method == "GET":
        return _page(person)
    ConfirmForm().validate_on_submit()
    wanted = request.form.get("action") == "resubscribe"
    mail_preferences.set_news(token, wanted)
    if wanted:
        flash(gettext("Je krijgt onze nieuwsberichten weer."), "success")
    else:
        flash(gettext("Je bent afgemeld. Je krijgt geen nieuwsberichten meer."), "success")
    lang = request.args.get("lang")
    return redirect(url_for("registration.unsubscribe", token=token, lang=lang), code=303)


@bp.route("/afmelden/<token>/een-klik", methods=["GET", "POST"])
@limiter.limit(ONE_CLICK_LIMIT)
@public
def unsubscribe_one_click(token: str):
    """The `List-Unsubscribe` address: a mail client's POST turns news off at once.

    No CSRF token: the client cannot have one, and the signed token in the URL is the
    authorisation (RFC 8058). A GET (a link checker, a curious person) changes nothing.
    """
    if request.method == "GET":
        return redirect(url_for("registration.unsubscribe", token=token), code=303)
    if request.form.get("List-Unsubscribe") != "One-Click":
        return _plain("Expected the body List-Unsubscribe=One-Click (RFC 8058).", 400)
    if mail_preferences.set_news(token, False) is None:
        return _plain("This unsubscribe link is not valid.", 400)
    return _plain("Unsubscribed: no more news mails. / Afgemeld: geen nieuwsberichten meer.", 200)


def _plain(text: str, status: int) -> Response:
    # Read by a mail client's server, not a person: plain text, not a page.
    return private(Response(text + "\n", status=status, mimetype="text/plain"))


csrf.exempt(unsubscribe_one_click)


@bp.post("/mijn-inschrijving/nieuws")
@attendee_page
def news_preference(reg):
    """The switch on the personal page: news mails on or off."""
    ConfirmForm().validate_on_submit()
    wanted = request.form.get("action") == "on"
    mail_preferences.set_registration_news(reg.id, wanted)
    if wanted:
        flash(gettext("Je krijgt onze nieuwsberichten weer."), "success")
    else:
        flash(gettext("Je krijgt geen nieuwsberichten meer."), "success")
    return redirect(url_for("registration.manage") + "#mails-titel", code=303)

"""Work done after the response has gone out, so how long it takes tells the caller nothing."""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Response, after_this_request, current_app

from conference.extensions import db

log = logging.getLogger(__name__)


def after_response(work: Callable[[], object]) -> None:
    """Run `work` in an app context of its own once this request's response is sent.

    The WSGI server closes the response after the last byte went out; the work runs then, so
    a caller cannot time it (the login-link request answers as fast for a known address as for
    an unknown one). A failure is logged: the person can simply ask again.
    """
    app = current_app._get_current_object()

    def run() -> None:
        with app.app_context():
            try:
                work()
            except Exception:
                log.exception("work after the response failed")
                db.session.rollback()
            finally:
                db.session.remove()

    @after_this_request
    def attach(response: Response) -> Response:
        response.call_on_close(run)
        return response

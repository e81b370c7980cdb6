"""What a scan answers: the verdict of API.md, with the words a volunteer reads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import format_time
from flask_babel import lazy_gettext as _l

from conference.clock import isoformat
from registration.checkin.models import Scan
from registration.checkin.registry import activity_checkpoints
from registration.models import Registration

REASON_MESSAGES = {
    "invalid": _l("Onbekend ticket: deze code hoort bij geen enkele inschrijving."),
    "already_redeemed": _l("Al gescand: deze persoon is al binnen."),
    "canceled": _l("Deze inschrijving is geannuleerd."),
    "revoked": _l(
        "Dit ticket is vervangen door een nieuw ticket. Stuur de persoon naar de infobalie."
    ),
    "product": _l("Dit ticket geeft geen toegang tot deze plaats."),
    "invalid_time": _l("Deze controlepost is nu niet open."),
}
DETAIL_MESSAGES = {
    "online": _l("Deze persoon is online ingeschreven, niet ter plaatse."),
    "waitlisted": _l("Deze persoon staat nog op de wachtlijst voor een plaats ter plaatse."),
    "no_seat": _l("Deze persoon heeft geen plaats in deze activiteit."),
    "full": _l("Er is geen vrije plaats meer in deze activiteit."),
    "standby_closed": _l("Vrijgekomen plaatsen worden pas later uitgedeeld."),
    "standby_off": _l("Op deze conferentie worden plaatsen van wie niet kwam niet vrijgegeven."),
    "conflict": _l("Deze persoon zit al in een andere activiteit op hetzelfde moment."),
}


@dataclass
class RedeemResult:
    """The answer to a scan: an HTTP status and the JSON body of API.md."""

    http_status: int
    body: dict[str, Any]

    @property
    def ok(self) -> bool:
        """Whether the person may go in (or out)."""
        return self.body["status"] == "ok"


def seats_for(registration_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Each registration's seats as the scanner shows them (empty without the sessions package)."""
    provider = activity_checkpoints()
    return provider.seats_of(registration_ids) if provider and registration_ids else {}


def participant_json(reg: Registration, seats: list[dict[str, Any]] | None = None) -> dict:
    """What a volunteer needs to see: name, mode, profile, seats; no e-mail, no secret."""
    if seats is None:
        seats = seats_for([reg.id]).get(reg.id, [])
    return {
        "id": reg.id,
        "name": reg.full_name,
        "mode": reg.mode,
        "profile": reg.profile,
        "status": reg.status,
        "seats": seats,
    }


def _refusal(scan: Scan) -> dict[str, Any]:
    """The reason, message and detail of a refused scan."""
    body: dict[str, Any] = {"reason": scan.reason}
    message = DETAIL_MESSAGES.get(scan.detail or "", REASON_MESSAGES[scan.reason])
    if scan.reason == "already_redeemed" and scan.first_scan_at is not None:
        message = _l(
            "Al gescand om %(time)s: deze persoon is al binnen.",
            time=format_time(scan.first_scan_at, "HH:mm"),
        )
    body["message"] = str(message)
    if scan.detail:
        body["detail"] = scan.detail
    return body


def answer(
    scan: Scan, reg: Registration | None, cp_label: str, seats: list[dict] | None = None
) -> RedeemResult:
    """The API answer for a recorded scan; a nonce replay rebuilds exactly this."""
    # `seats`: the person's seats when the scan read them with the ticket (None: read here).
    body: dict[str, Any] = {"status": scan.status, "checkpoint": scan.checkpoint}
    if scan.status == "error":
        body.update(_refusal(scan))
    if reg is not None:
        body["participant"] = participant_json(reg, seats)
    if scan.first_scan_at is not None:
        body["first_scan_at"] = isoformat(scan.first_scan_at)
    body.update(
        checkpoint_label=cp_label,
        type=scan.type,
        scan_id=scan.id,
        scanned_at=isoformat(scan.scanned_at),
        forced=scan.forced,
        flagged=scan.flagged,
    )
    if scan.flagged:
        body["flag_reason"] = scan.flag_reason
    status = 201 if scan.status == "ok" else (404 if scan.reason == "invalid" else 400)
    return RedeemResult(status, body)

"""Networking JSON API: profile, directory, slots, meetings, blocks and themed tables."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from conference.admin import page_number
from conference.auth import organiser_required
from conference.errors import Invalid
from conference.extensions import limiter
from conference.i18n import lang
from conference.openapi import CONFLICT, ApiDocs, Reply
from conference.services import current_conference
from conference.validation import as_id, json_body
from registration.access import attendee_required, current_registration
from streaming.api import per_person
from streaming.networking import meetings, profiles, schemas, slots, tables

bp = Blueprint("networking_api", __name__, url_prefix="/api/v1")
docs = ApiDocs(
    "networking",
    "Meeting colleagues: an opt-in directory (only for people who are visible themselves: 403 "
    "`not_visible` otherwise), meeting requests at networking moments, blocks, themed tables.",
)
# A request mails another attendee: a few a minute and a few dozen a day are plenty.
MEETING_LIMIT = "5/minute;30/day"
NO_CONTENT = Reply("Done.")
# The fields each body accepts (the schemas document the same names).
PROFILE_FIELDS = ("visible", "sector", "region", "themes", "ask_me_about")
SLOT_FIELDS = ("activity_id", "tables")
SLOT_PATCH_FIELDS = ("tables",)
MEETING_FIELDS = ("with", "slot", "mode", "note")
BLOCK_FIELDS = ("person",)
TABLE_FIELDS = ("slot_id", "theme_id", "title", "title_en", "capacity")


def body(*allowed: str) -> dict[str, Any]:
    """The JSON body; a field not listed is a 422."""
    data = json_body()
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise Invalid(fields={key: _l("onbekend veld") for key in unknown})
    return data


def _me():
    return current_registration()


# -- profile and directory -------------------------------------------------------------------


@bp.get("/me/networking")
@docs(
    summary="The person's own networking profile.",
    responses={200: Reply("The profile.", schemas.NetworkingProfile)},
)
@attendee_required
def my_profile():
    """The person's own networking profile (invisible until they choose)."""
    return jsonify(profiles.profile_json(_me(), lang()))


@bp.put("/me/networking")
@docs(
    summary=(
        "Choose to be in the directory (or leave it at once: open requests are withdrawn) and "
        "what it shows. No e-mail address is ever shown."
    ),
    body=schemas.ProfilePut,
    responses={200: Reply("The profile.", schemas.NetworkingProfile)},
)
@attendee_required
def put_profile():
    """Set visibility, sector, region, themes and "vraag me over…"."""
    reg = _me()
    profiles.save_profile(reg, body(*PROFILE_FIELDS))
    return jsonify(profiles.profile_json(reg, lang()))


@bp.get("/networking/people")
@docs(
    summary="Visible colleagues, filtered (theme, sector, region, q), 20 a page.",
    query=schemas.PeopleQuery,
    responses={200: Reply("One page.", schemas.People)},
)
@limiter.limit("120/minute", key_func=per_person)
@attendee_required
def people():
    """The directory; 403 `not_visible` for a person who is not visible themselves."""
    reg = _me()
    pager = profiles.directory(reg, profiles.parse_filters(request.args), page_number())
    found = profiles.profiles_for([p.id for p in pager.items])
    language = lang()
    items = [profiles.person_json(p, found[p.id], language) for p in pager.items]
    return jsonify({"items": items, "page": pager.page, "pages": pager.pages, "total": pager.total})


# -- slots -------------------------------------------------------------------------------------


@bp.get("/networking/slots")
@docs(summary="The networking moments.", responses={200: Reply("The slots.", schemas.Slots)})
@attendee_required
def slot_list():
    """The networking moments with free meeting tables."""
    conf = current_conference()
    return jsonify([slots.slot_json(s, conf.timezone, lang()) for s in slots.slots(conf)])


@bp.post("/networking/slots")
@docs(
    summary="Make a networking activity a slot (organiser).",
    body=schemas.SlotPost,
    responses={201: Reply("The slot.", schemas.Slot), 409: CONFLICT},
)
@organiser_required
def add_slot():
    """Make a networking activity of the programme a slot with meeting tables."""
    conf = current_conference()
    data = body(*SLOT_FIELDS)
    slot = slots.add_slot(conf, data.get("activity_id"), data.get("tables"), current_user.id)
    return jsonify(slots.slot_json(slot, conf.timezone, lang())), 201


@bp.patch("/networking/slots/<int:slot_id>")
@docs(
    summary="Change a slot's meeting tables (organiser); not below those in use.",
    body=schemas.SlotPatch,
    responses={200: Reply("The slot.", schemas.Slot), 409: CONFLICT},
)
@organiser_required
def patch_slot(slot_id: int):
    """Change the number of meeting tables."""
    conf = current_conference()
    slot = slots.set_tables(conf, slot_id, body(*SLOT_PATCH_FIELDS).get("tables"), current_user.id)
    return jsonify(slots.slot_json(slot, conf.timezone, lang()))


# -- meetings ----------------------------------------------------------------------------------


@bp.get("/networking/meetings")
@docs(
    summary="The person's meetings: sent and received.",
    responses={200: Reply("Newest first.", schemas.Meetings)},
)
@attendee_required
def meeting_list():
    """The person's meetings."""
    reg, tz = _me(), current_conference().timezone
    return jsonify([meetings.meeting_json(m, reg, tz) for m in meetings.meetings_of(reg)])


@bp.post("/networking/meetings")
@docs(
    summary=(
        "Ask a visible colleague to meet at a slot (rate-limited). 404 for anybody not in the "
        "directory; 409 `closed`, `wrong_mode`."
    ),
    body=schemas.MeetingPost,
    responses={201: Reply("The request.", schemas.Meeting), 409: CONFLICT},
)
@limiter.limit(MEETING_LIMIT, key_func=per_person, methods=["POST"])
@attendee_required
def request_meeting():
    """Ask for a meeting; the other gets a mail (without any address)."""
    reg = _me()
    meeting = meetings.request_meeting(reg, body(*MEETING_FIELDS))
    return jsonify(meetings.meeting_json(meeting, reg, current_conference().timezone)), 201


def _answer(meeting_id: int, action) -> Any:
    reg = _me()
    meeting = action(reg, meeting_id)
    return jsonify(meetings.meeting_json(meeting, reg, current_conference().timezone))


@bp.post("/networking/meetings/<int:meeting_id>/accept")
@docs(
    summary="Accept a request: a numbered table on site or a video room online; 409 `busy`, "
    "`full`, `already_answered`.",
    responses={200: Reply("The meeting.", schemas.Meeting), 409: CONFLICT},
)
@attendee_required
def accept(meeting_id: int):
    """Accept a meeting request addressed to the person."""
    return _answer(meeting_id, meetings.accept)


@bp.post("/networking/meetings/<int:meeting_id>/decline")
@docs(
    summary="Decline a request.",
    responses={200: Reply("The meeting.", schemas.Meeting), 409: CONFLICT},
)
@attendee_required
def decline(meeting_id: int):
    """Decline a meeting request addressed to the person."""
    return _answer(meeting_id, meetings.decline)


@bp.post("/networking/meetings/<int:meeting_id>/cancel")
@docs(
    summary="Withdraw a request or cancel an accepted meeting (its table goes free).",
    responses={200: Reply("The meeting.", schemas.Meeting), 409: CONFLICT},
)
@attendee_required
def cancel(meeting_id: int):
    """Withdraw or cancel a meeting."""
    return _answer(meeting_id, meetings.cancel)


@bp.post("/networking/blocks")
@docs(
    summary="Block a person's meeting requests (they are not told).",
    body=schemas.BlockPost,
    responses={204: NO_CONTENT},
)
@attendee_required
def block():
    """Block a sender."""
    profiles.block(_me(), body(*BLOCK_FIELDS).get("person"))
    return "", 204


@bp.delete("/networking/blocks/<int:person_id>")
@docs(summary="Unblock a person.", responses={204: NO_CONTENT})
@attendee_required
def unblock(person_id: int):
    """Unblock a sender."""
    profiles.unblock(_me(), person_id)
    return "", 204


# -- themed tables -----------------------------------------------------------------------------


@bp.get("/networking/tables")
@docs(
    summary="The themed tables, with places taken and whether the person has one.",
    query=schemas.TablesQuery,
    responses={200: Reply("The tables.", schemas.Tables)},
)
@attendee_required
def table_list():
    """The themed tables."""
    reg = _me()
    booked = {b.table_id for b in tables.bookings_of(reg.id)}
    found = tables.tables(current_conference(), as_id(request.args.get("slot")))
    return jsonify([tables.table_json(t, lang(), booked) for t in found])


@bp.post("/networking/tables")
@docs(
    summary="Set up a themed table at a slot (organiser).",
    body=schemas.TablePost,
    responses={201: Reply("The table.", schemas.Table)},
)
@organiser_required
def add_table():
    """Set up a themed table."""
    data = body(*TABLE_FIELDS)
    table = tables.add_table(current_conference(), data, current_user.id)
    return jsonify(tables.table_json(table, lang(), set())), 201


@bp.post("/networking/tables/<int:table_id>/booking")
@docs(
    summary="Take a place at a themed table (on site); 409 `full`, `busy`, `closed`.",
    responses={201: Reply("The table.", schemas.Table), 409: CONFLICT},
)
@limiter.limit("30/minute", key_func=per_person)
@attendee_required
def book_table(table_id: int):
    """Take a place at a themed table."""
    reg = _me()
    booking = tables.book(reg, table_id)
    table = tables.get_table(current_conference(), booking.table_id)
    return jsonify(tables.table_json(table, lang(), {table.id})), 201


@bp.delete("/networking/tables/<int:table_id>/booking")
@docs(summary="Give up one's place at a themed table.", responses={204: NO_CONTENT})
@attendee_required
def leave_table(table_id: int):
    """Give up a place."""
    tables.leave(_me(), table_id)
    return "", 204

"""The conference settings form: capacity, windows, allocation mode, quotas and timings."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateTimeLocalField, IntegerField, SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from conference.admin import PROFILE_LABELS
from conference.forms import Form
from conference.models import PROFILES, Conference
from conference.services import SETTING_LIMITS

# What `datetime-local` sends: minutes, or seconds when a browser adds them. The first is shown.
LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
MOMENTS = (
    "registration_opens_at",
    "registration_closes_at",
    "choice_opens_at",
    "choice_closes_at",
    "quota_release_at",
    "reconfirm_opens_at",
    "reconfirm_closes_at",
    "draw_at",
)


def _moment(label: Any, required: bool = False, hint: Any = None) -> DateTimeLocalField:
    return DateTimeLocalField(
        label,
        format=LOCAL_FORMATS,
        validators=[InputRequired(_l("Vul een datum en uur in."))] if required else [Optional()],
        description=hint,
    )


def _whole(label: Any, key: str, hint: Any = None) -> IntegerField:
    low, high, may_be_off = SETTING_LIMITS[key]
    message = _l("Geef een geheel getal van %(low)d tot %(high)d.", low=low, high=high)
    return IntegerField(
        label,
        validators=[
            Optional() if may_be_off else InputRequired(message),
            NumberRange(low, high, message),
        ],
        description=hint,
        render_kw={"inputmode": "numeric"},
    )


class SettingsForm(Form):
    """The settings an organiser changes during the run-up to the conference."""

    onsite_capacity = IntegerField(
        _l("Plaatsen ter plaatse"),
        validators=[
            InputRequired(_l("Vul een aantal in.")),
            NumberRange(0, 100_000, _l("Geef een geheel getal van 0 tot 100000.")),
        ],
        description=_l("Lager dan het aantal ingenomen plaatsen kan niet."),
        render_kw={"inputmode": "numeric"},
    )
    registration_opens_at = _moment(_l("Inschrijvingen openen"), required=True)
    registration_closes_at = _moment(_l("Inschrijvingen sluiten"), required=True)
    allocation_mode = SelectField(
        _l("Verdeling van workshops en bezoeken"),
        choices=[
            ("preferences", _l("Voorkeuren: iedereen kiest, daarna een eerlijke verdeling")),
            ("fcfs", _l("Wie eerst komt: een plaats meteen vastleggen")),
        ],
    )
    choice_opens_at = _moment(_l("Keuzeronde opent"), hint=_l("Leeg = geen keuzeronde gepland."))
    choice_closes_at = _moment(_l("Keuzeronde sluit"))
    quota_release_at = _moment(
        _l("Voorbehouden plaatsen vrijgeven op"),
        hint=_l("Leeg = de voorbehouden plaatsen blijven tot de inschrijvingen sluiten."),
    )
    reconfirm_opens_at = _moment(
        _l("Bevestiging van komst vragen vanaf"),
        hint=_l("Leeg = geen bevestiging vragen. Halverwege gaat een herinnering."),
    )
    reconfirm_closes_at = _moment(_l("Bevestigen kan tot"))
    reconfirm_release = BooleanField(
        _l("Plaatsen zonder antwoord na de termijn naar de wachtlijst geven"),
        description=_l("Niet aangevinkt: ze worden alleen gemarkeerd in het overzicht."),
    )
    no_show_release_minutes = _whole(
        _l("Plaats vrijgeven als iemand niet gescand is na (minuten)"),
        "no_show_release_minutes",
        hint=_l("Leeg = nooit vrijgeven."),
    )
    venue_offer_hours = _whole(
        _l("Bedenktijd voor een vrijgekomen plaats ter plaatse (uren)"), "venue_offer_hours"
    )
    seat_offer_hours = _whole(
        _l("Bedenktijd voor een vrijgekomen workshopplaats (uren)"), "seat_offer_hours"
    )
    join_link_lead_minutes = _whole(
        _l("Link naar online workshops tonen (minuten vooraf)"), "join_link_lead_minutes"
    )
    reminder_hours_before = _whole(_l("Herinnering sturen (uren vooraf)"), "reminder_hours_before")
    colleague_hold_hours = _whole(
        _l("Plaats vasthouden voor een uitgenodigde collega (uren)"), "colleague_hold_hours"
    )
    # --- the venue draw (issue 15) ---
    venue_mode = SelectField(
        _l("Plaatsen ter plaatse"),
        choices=[
            ("fcfs", _l("Wie eerst komt: een plaats meteen vastleggen")),
            ("draw", _l("Loting: iedereen vraagt aan, daarna een loting")),
        ],
        # A post without the field keeps the mode; `update_conference` checks the word.
        validate_choice=False,
    )
    draw_at = _moment(_l("Moment van de loting"), hint=_l("Leeg = de loting gebeurt met de hand."))
    organisation_cap = IntegerField(
        _l("Hoogstens zoveel plaatsen per organisatie in de loting"),
        validators=[
            Optional(),
            NumberRange(1, 100_000, _l("Geef een geheel getal van 1 tot 100000.")),
        ],
        description=_l("Leeg = geen maximum."),
        render_kw={"inputmode": "numeric"},
    )
    reason = StringField(
        _l("Reden (voor het auditlog, niet verplicht)"),
        validators=[Optional(), Length(max=500)],
    )

    @classmethod
    def for_conference(cls, conf: Conference, **kwargs: Any) -> SettingsForm:
        """The form, with a percentage field per profile, filled from the conference."""
        form_class = type(
            "ConferenceSettingsForm",
            (cls,),
            {
                f"quota_{profile}": IntegerField(
                    PROFILE_LABELS[profile],
                    validators=[
                        Optional(),
                        NumberRange(0, 100, _l("Geef een percentage van 0 tot 100.")),
                    ],
                    render_kw={"inputmode": "numeric"},
                )
                for profile in PROFILES
            },
        )
        if "formdata" in kwargs or kwargs.get("data") is not None:
            return form_class(**kwargs)
        return form_class(data=initial_values(conf), **kwargs)

    def quota_fields(self) -> list[Any]:
        """The percentage fields, one per profile."""
        return [self[f"quota_{profile}"] for profile in PROFILES]

    def changes(self, conf: Conference) -> dict[str, Any]:
        """The fields in the vocabulary of `update_conference` (times as ISO with offset)."""
        zone = ZoneInfo(conf.timezone)
        data: dict[str, Any] = {
            "onsite_capacity": self.onsite_capacity.data,
            "allocation_mode": self.allocation_mode.data,
            "reconfirm_release": bool(self.reconfirm_release.data),
            "organisation_cap": self.organisation_cap.data,
        }
        if self.venue_mode.data:
            data["venue_mode"] = self.venue_mode.data
        for key in MOMENTS:
            value: datetime | None = self[key].data
            data[key] = None if value is None else value.replace(tzinfo=zone).isoformat()
        for key in SETTING_LIMITS:
            data[key] = self[key].data
        current = conf.profile_quotas or {}
        quotas = {}
        for profile in PROFILES:
            percent = self[f"quota_{profile}"].data
            if not percent:
                continue
            # The form shows whole percentages: an unchanged field keeps a finer stored share.
            share = current.get(profile)
            unchanged = share is not None and round(share * 100) == percent
            quotas[profile] = share if unchanged else percent / 100
        data["profile_quotas"] = quotas
        return data


def initial_values(conf: Conference) -> dict[str, Any]:
    """The conference's current settings as form values (local wall-clock times)."""
    zone = ZoneInfo(conf.timezone)
    values: dict[str, Any] = {
        "onsite_capacity": conf.onsite_capacity,
        "allocation_mode": conf.allocation_mode,
        "reconfirm_release": conf.reconfirm_release,
        "venue_mode": conf.venue_mode,
        "organisation_cap": conf.organisation_cap,
    }
    for key in MOMENTS:
        moment = getattr(conf, key)
        values[key] = None if moment is None else moment.astimezone(zone).replace(tzinfo=None)
    for key in SETTING_LIMITS:
        values[key] = conf.setting(key)
    for profile, share in (conf.profile_quotas or {}).items():
        values[f"quota_{profile}"] = round(share * 100)
    return values

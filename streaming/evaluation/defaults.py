"""The default evaluation: what every new evaluation asks until the organisers change it.

It lives here rather than in the programme file because the programme loader (sessions) may
not know streaming: the loader announces a loaded programme (`hooks.programme_loaded`) and
this package gives each evaluated activity, and the day, an evaluation with these questions.
The stored shape is the registration questions' (`registration.questions.editing`).
"""

from __future__ import annotations

from typing import Any

# Parts of the day people evaluate; the radio, film room and networking space are open rooms.
EVALUATED_KINDS = ("plenary", "workshop", "online_workshop", "stream", "visit")
# Watched minutes after which an online viewer counts as having attended (a setting).
MINUTES_SETTING = "evaluation_stream_minutes"
DEFAULT_MINUTES = 15
# Days after the end during which the form stays open (a setting).
OPEN_DAYS_SETTING = "evaluation_open_days"
DEFAULT_OPEN_DAYS = 14
# Results appear from this many answers: fewer could point to a person.
MIN_ANSWERS = 5

_SCORE_LABELS = {
    1: ("1 (slecht)", "1 (poor)"),
    5: ("5 (uitstekend)", "5 (excellent)"),
}

DEFAULT_QUESTIONS: list[dict[str, Any]] = [
    {
        "key": "score",
        "type": "choice",
        "label": "Welke score geef je? 1 is slecht, 5 is uitstekend.",
        "label_en": "What score do you give? 1 is poor, 5 is excellent.",
        "required": True,
        "choices": [
            {
                "key": f"s{n}",
                "label": _SCORE_LABELS.get(n, (str(n), str(n)))[0],
                "label_en": _SCORE_LABELS.get(n, (str(n), str(n)))[1],
            }
            for n in range(1, 6)
        ],
    },
    {
        "key": "meenemen",
        "type": "long_text",
        "label": "Wat neem je mee naar je praktijk?",
        "label_en": "What do you take back to your practice?",
        "required": False,
    },
    {
        "key": "opmerkingen",
        "type": "long_text",
        "label": "Opmerkingen",
        "label_en": "Remarks",
        "required": False,
    },
]

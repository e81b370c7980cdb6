"""Results of an evaluation: counts, a bar per choice, the comments, response rates, exports.

Nothing is shown below `MIN_ANSWERS` answers: with two or three answers from a small workshop,
a speaker could guess who wrote what. Comments are listed in the order of the answers' random
keys, never in the order they came in.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from conference.backoffice.exports import Table
from conference.extensions import db
from conference.models import Conference
from conference.questions.kinds import QuestionDef, answer_text
from streaming.evaluation.attendance import attendees
from streaming.evaluation.defaults import MIN_ANSWERS
from streaming.evaluation.models import Evaluation, EvaluationAnswer, EvaluationResponder
from streaming.evaluation.services import evaluations_of, questions_of, title_of

CLOSED_TYPES = ("choice", "choices", "yes_no", "number")


@dataclass
class Bar:
    """One option of a closed question: how many chose it, and the share of those answering."""

    label: str
    count: int
    percent: int


@dataclass
class QuestionResult:
    """The answers to one question: bars for a closed question, the texts for an open one."""

    question: QuestionDef
    answered: int
    bars: list[Bar] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)

    @property
    def closed(self) -> bool:
        """Whether the question has options to count (a chart), rather than texts."""
        return self.question.type in CLOSED_TYPES


@dataclass
class Results:
    """An evaluation's results as organisers, speakers and guides see them."""

    evaluation: Evaluation
    title: str
    count: int
    questions: list[QuestionResult]

    @property
    def shown(self) -> bool:
        """Whether there are enough answers to show anything but the count."""
        return self.count >= MIN_ANSWERS


def _answers(ev: Evaluation) -> list[dict[str, Any]]:
    rows = db.session.scalars(
        select(EvaluationAnswer.answers)
        .where(EvaluationAnswer.evaluation_id == ev.id)
        .order_by(EvaluationAnswer.id)
    )
    return [row or {} for row in rows]


def _options(q: QuestionDef, counts: Counter) -> list[tuple[Any, str]]:
    if q.type == "yes_no":
        return [(True, answer_text(q, True)), (False, answer_text(q, False))]
    if q.type == "number":
        return [(value, str(value)) for value in sorted(counts)]
    return [(c.key, c.label) for c in q.choices]


def _question_result(q: QuestionDef, answers: list[dict[str, Any]]) -> QuestionResult:
    values = [a.get(q.key) for a in answers if a.get(q.key) is not None]
    result = QuestionResult(question=q, answered=len(values))
    if not result.closed:
        result.texts = [answer_text(q, v) for v in values]
        return result
    picked = [v for value in values for v in (value if isinstance(value, list) else [value])]
    counts = Counter(picked)
    for key, label in _options(q, counts):
        n = counts.get(key, 0)
        share = round(100 * n / result.answered) if result.answered else 0
        result.bars.append(Bar(label=label, count=n, percent=share))
    return result


def results(conf: Conference, ev: Evaluation, language: str) -> Results:
    """The results of `ev` in `language`; without questions' details below the threshold."""
    answers = _answers(ev)
    shown = len(answers) >= MIN_ANSWERS
    questions = [_question_result(q, answers) for q in questions_of(ev, language)] if shown else []
    return Results(ev, title_of(conf, ev, language), len(answers), questions)


@dataclass
class Rate:
    """How many who attended answered an evaluation."""

    evaluation: Evaluation
    title: str
    attended: int
    answered: int

    @property
    def percent(self) -> int:
        """The share of attendees who answered, in whole percents."""
        return round(100 * self.answered / self.attended) if self.attended else 0


def _attended(conf: Conference, ev: Evaluation) -> int:
    return db.session.scalar(select(func.count()).select_from(attendees(conf, ev).subquery())) or 0


def response_rates(conf: Conference, language: str) -> list[Rate]:
    """Per evaluation: attendees, answers (answers count the responders' marks)."""
    answered = dict(
        db.session.execute(
            select(EvaluationResponder.evaluation_id, func.count()).group_by(
                EvaluationResponder.evaluation_id
            )
        ).all()
    )
    return [
        Rate(ev, title_of(conf, ev, language), _attended(conf, ev), answered.get(ev.id, 0))
        for ev in evaluations_of(conf)
    ]


def rate_of(conf: Conference, ev: Evaluation, language: str) -> Rate:
    """One evaluation's response rate."""
    answered = db.session.scalar(
        select(func.count()).where(EvaluationResponder.evaluation_id == ev.id)
    )
    return Rate(ev, title_of(conf, ev, language), _attended(conf, ev), answered or 0)


def export_table(conf: Conference, ev: Evaluation, language: str) -> Table | None:
    """One row per answer, one column per question (texts as readers see them); None below
    the threshold."""
    answers = _answers(ev)
    if len(answers) < MIN_ANSWERS:
        return None
    questions = questions_of(ev, language)
    return Table(
        title=title_of(conf, ev, language),
        headers=[q.label for q in questions],
        rows=[[answer_text(q, a.get(q.key)) for q in questions] for a in answers],
    )

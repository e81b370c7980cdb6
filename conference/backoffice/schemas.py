"""The export API's shapes: its query (the files themselves are CSV and XLSX, not JSON)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from conference.backoffice.common import CSV_MIME, XLSX_MIME
from conference.openapi import Reply


class ExportQuery(BaseModel):
    """Which registrations a list holds."""

    include_canceled: bool = Field(
        False, description="Also list canceled registrations (default false)."
    )
    include_invited: bool = Field(
        False,
        description="Also list colleagues' invitations not yet confirmed (status `invited`; "
        "default false): they have not consented and are not attendees yet.",
    )
    question: str | None = Field(
        None, description="Only those whose answer to this question (its key) matches `answer`."
    )
    answer: str | None = Field(
        None,
        description="A choice key, `yes`/`no`, a number, or part of a text (with `question`).",
    )


CSV_FILE = Reply("The CSV file.", media_type=CSV_MIME.split(";")[0], schema={"type": "string"})
WORKBOOK = Reply(
    "The workbook.",
    media_type=XLSX_MIME,
    schema={"type": "string", "contentEncoding": "binary"},
)

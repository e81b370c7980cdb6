"""Exports opened back with the csv module, openpyxl and pypdf: rows, columns, accents, formulas."""

from __future__ import annotations

import csv
import io

import pytest
import zxingcpp
from openpyxl import load_workbook
from PIL import Image
from pypdf import PdfReader

from conference.backoffice.exports import neutralise
from registration.services import cancel_registration
from tests.factories import activity, give_seat, register, staff
from tests.helpers import bearer, login


@pytest.fixture
def app(any_db_app):
    """Every test here on SQLite and, with TEST_DATABASE_URL, on PostgreSQL."""
    return any_db_app


REG_HEADERS = ["Nummer", "Voornaam", "Familienaam", "E-mail", "Organisatie", "Profiel"]


def _csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM for Excel"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


@pytest.fixture
def people(app, tokens):
    """Three people with Dutch names, one with a formula as organisation, one canceled."""
    zoe = register(1, first_name="Zoë", last_name="Geïrnaert", organisation="Café Éclair")
    evil = register(
        2,
        first_name="Eva",
        last_name="Peeters",
        organisation='=HYPERLINK("x")',
        sector="+32 3 123",
        diet="@SUM(A1)",
    )
    gone = register(3, first_name="Gert", last_name="Weg", mode="online")
    cancel_registration(gone.id)
    give_seat(zoe.id, "ws-diversiteit-1", by=staff())
    give_seat(evil.id, "ws-diversiteit-1", by=staff())
    return {"zoe": zoe, "evil": evil, "gone": gone}


def test_neutralise_every_formula_prefix():
    for text in ("=1+1", "+1", "-1", "@A1", "\tx", "\rx"):
        assert neutralise(text) == "'" + text
    assert neutralise("Zoë") == "Zoë" and neutralise(12) == 12 and neutralise(None) is None


def test_registrations_csv(client, tokens, people):
    response = client.get("/api/v1/exports/registrations.csv", headers=bearer(tokens["organiser"]))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = _csv(response.data)
    assert rows[0][:6] == REG_HEADERS
    assert len(rows) == 3  # header + two active registrations; the canceled one is left out
    by_name = {row[1]: row for row in rows[1:]}
    assert by_name["Zoë"][2] == "Geïrnaert" and by_name["Zoë"][4] == "Café Éclair"
    assert by_name["Zoë"][5] == "Praktijkwerker"
    assert by_name["Eva"][4] == '\'=HYPERLINK("x")'
    assert by_name["Eva"][6] == "'+32 3 123"
    assert by_name["Eva"][12] == "'@SUM(A1)"
    assert "Samenleven in diversiteit" in by_name["Zoë"][15]  # then one column per question
    with_canceled = client.get(
        "/api/v1/exports/registrations.csv?include_canceled=1", headers=bearer(tokens["organiser"])
    )
    rows = _csv(with_canceled.data)
    assert len(rows) == 4 and {"Gert"} <= {row[1] for row in rows}
    assert next(r for r in rows if r[1] == "Gert")[8] == "Geannuleerd"


def test_registrations_xlsx(client, tokens, people):
    response = client.get("/api/v1/exports/registrations.xlsx", headers=bearer(tokens["organiser"]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0][:6]) == REG_HEADERS
    assert len(rows) == 3
    by_name = {row[1]: row for row in rows[1:]}
    assert by_name["Zoë"][2] == "Geïrnaert" and by_name["Zoë"][4] == "Café Éclair"
    assert by_name["Eva"][4] == '\'=HYPERLINK("x")'
    # No cell of the workbook is a formula.
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert sheet.freeze_panes == "A2"


def test_activity_lists(client, tokens, people):
    act = activity("ws-diversiteit-1")
    other = activity("ws-diversiteit-3")
    headers = bearer(tokens["organiser"])
    rows = _csv(client.get(f"/api/v1/exports/activities/{act.id}.csv", headers=headers).data)
    assert rows[0][:3] == ["Nummer", "Voornaam", "Familienaam"]
    assert [(r[1], r[2]) for r in rows[1:]] == [("Zoë", "Geïrnaert"), ("Eva", "Peeters")]
    assert rows[2][4] == '\'=HYPERLINK("x")'
    assert rows[1][7] == "Door organisator"
    sheet = load_workbook(
        io.BytesIO(client.get(f"/api/v1/exports/activities/{act.id}.xlsx", headers=headers).data)
    ).active
    assert [r[1] for r in sheet.iter_rows(min_row=2, values_only=True)] == ["Zoë", "Eva"]
    empty = _csv(client.get(f"/api/v1/exports/activities/{other.id}.csv", headers=headers).data)
    assert len(empty) == 1  # only the header
    assert client.get("/api/v1/exports/activities/99999.csv", headers=headers).status_code == 404


def test_exports_are_for_organisers_only(client, tokens):
    for url in ("/api/v1/exports/registrations.csv", "/api/v1/exports/registrations.xlsx"):
        assert client.get(url).status_code == 401
        assert client.get(url, headers=bearer(tokens["checkin"])).status_code == 403
        assert client.get(url, headers=bearer(tokens["moderator"])).status_code == 403


def test_badges_pdf_eight_per_page_with_a_readable_qr(app, client, tokens):
    regs = [
        register(i, first_name=f"Zoë{i}", last_name="Geïrnaert", organisation="Café Éclair")
        for i in range(9)
    ]
    regs.append(register(50, first_name="Online", last_name="Persoon", mode="online"))
    login(client)
    response = client.get("/beheer/lijsten/badges.pdf")
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/pdf"
    pdf = PdfReader(io.BytesIO(response.data))
    assert len(pdf.pages) == 2  # nine on-site people: 8 + 1; the online person gets no badge
    text = "".join(page.extract_text() for page in pdf.pages)
    assert "Zoë0 Geïrnaert" in text and "Café Éclair" in text and "Praktijkwerker" in text
    assert "Online Persoon" not in text
    assert [len(page.images) for page in pdf.pages] == [8, 1]
    decoded = set()
    for page in pdf.pages:
        for image in page.images:
            [code] = zxingcpp.read_barcodes(Image.open(io.BytesIO(image.data)).convert("L"))
            decoded.add(code.text)
    # Each badge's QR is the person's ticket URL (the random secret, no personal data).
    assert decoded == {f"http://127.0.0.1:5000/t/{r.ticket.secret}" for r in regs[:9]}


def test_attendance_list_pdf(client, tokens, people):
    act = activity("ws-diversiteit-1")
    login(client)
    one = PdfReader(
        io.BytesIO(client.get(f"/beheer/lijsten/deelnemerslijsten.pdf?activity={act.id}").data)
    )
    text = one.pages[0].extract_text()
    assert "Samenleven in diversiteit" in text
    assert "Geïrnaert, Zoë" in text and "Peeters, Eva" in text and "2 / 100" in text
    every = PdfReader(io.BytesIO(client.get("/beheer/lijsten/deelnemerslijsten.pdf").data))
    assert len(every.pages) >= 30  # one list per workshop, visit and online workshop
    assert client.get("/beheer/lijsten").status_code == 200

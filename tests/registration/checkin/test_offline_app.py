"""The installable scanner's manifest and service worker, and the logout that clears a device."""

from __future__ import annotations

from tests.helpers import login


def test_the_worker_and_manifest_are_served_for_the_scanner_only(client):
    worker = client.get("/scanner/sw.js")
    assert worker.status_code == 200
    assert worker.headers["Service-Worker-Allowed"] == "/scanner"
    assert worker.headers["Cache-Control"] == "no-cache"
    assert worker.mimetype == "text/javascript"
    assert '"scope": "/scanner"' in worker.get_data(as_text=True)
    manifest = client.get("/scanner/manifest.webmanifest").get_json()
    assert (manifest["start_url"], manifest["scope"], manifest["display"]) == (
        "/scanner",
        "/scanner",
        "standalone",
    )
    assert {icon["sizes"] for icon in manifest["icons"]} == {"192x192", "512x512"}
    for icon in manifest["icons"]:
        assert client.get(icon["src"]).status_code == 200


def test_logout_clears_the_device(client, tokens):
    login(client, "checkin")
    response = client.post("/uitloggen")
    assert response.status_code == 302
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'

"""Static files are sent compressed; pages are not (they hold CSRF tokens: BREACH)."""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import brotli
import pytest

from conference.extensions import compress

try:
    from compression import zstd  # Python 3.14 and later
except ImportError:
    from backports import zstd

STATIC = Path(__file__).resolve().parents[2] / "conference" / "static"
DECODE = {
    "zstd": zstd.decompress,
    "br": brotli.decompress,
    "gzip": gzip.decompress,
    "deflate": zlib.decompress,
}


@pytest.mark.parametrize(
    ("accept", "encoding"),
    [
        ("gzip, deflate, br, zstd", "zstd"),
        ("gzip, deflate, br", "br"),
        ("gzip, deflate", "gzip"),
        ("deflate", "deflate"),
    ],
)
def test_static_files_are_compressed(client, accept, encoding):
    response = client.get(
        "/static/vendor/hls/hls.light.min.js", headers={"Accept-Encoding": accept}
    )
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in response.headers["Vary"]
    body = response.get_data()
    original = (STATIC / "vendor" / "hls" / "hls.light.min.js").read_bytes()
    assert DECODE[encoding](body) == original
    assert len(body) < len(original) // 3


def test_a_client_without_compression_gets_the_plain_file(client):
    response = client.get("/static/css/app.css", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in response.headers
    assert response.get_data() == (STATIC / "css" / "app.css").read_bytes()


def test_a_revalidated_static_file_is_not_sent_again(client):
    headers = {"Accept-Encoding": "gzip, deflate, br, zstd"}
    first = client.get("/static/js/watch.js", headers=headers)
    etag = first.headers["ETag"]
    again = client.get("/static/js/watch.js", headers={**headers, "If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""


@pytest.mark.parametrize("path", ["/programma", "/inschrijven", "/api/v1/programme"])
def test_pages_and_api_answers_are_not_compressed(client, path):
    response = client.get(path, headers={"Accept-Encoding": "gzip, deflate, br, zstd"})
    assert response.status_code == 200
    assert "Content-Encoding" not in response.headers


def test_query_strings_cannot_grow_the_cache_of_compressed_files(app, client):
    headers = {"Accept-Encoding": "br"}
    assert client.get("/static/css/app.css", headers=headers).status_code == 200
    size = len(compress.cache)
    for n in range(50):
        answer = client.get(f"/static/css/app.css?v={n}", headers=headers)
        assert answer.headers["Content-Encoding"] == "br"
    assert len(compress.cache) == size

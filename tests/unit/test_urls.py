"""Canonical URLs: the same story through two feeds has one URL."""

from __future__ import annotations

import pytest

from service.ingest.urls import canonical_url


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("https://Example.org/a?utm_source=x&id=2&fbclid=y#top", "https://example.org/a?id=2"),
        ("HTTP://example.org:80/a", "http://example.org/a"),
        ("https://example.org:8443/a", "https://example.org:8443/a"),
        ("https://example.org?b=2&a=1", "https://example.org/?a=1&b=2"),
        ("  https://example.org/a  ", "https://example.org/a"),
        ("ftp://example.org/a", None),
        ("not a url", None),
        ("", None),
        (None, None),
    ],
)
def test_canonical_url(url: str | None, canonical: str | None) -> None:
    assert canonical_url(url) == canonical

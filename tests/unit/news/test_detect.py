"""Format detection: the file name decides when it can, the content otherwise."""

from __future__ import annotations

import pytest

from service.ingest.news import PARSERS, detect_format

EVENTS_LINE = "\t".join(["x"] * 61) + "\n"


@pytest.mark.parametrize(
    ("data", "filename", "expected"),
    [
        (b"<rss/>", "feed.xml", "rss"),
        (b"anything", "feed.atom", "rss"),
        (b'{"title": "a"}\n', "news.jsonl", "jsonl"),
        (b'{"title": "a"}\n', "news.ndjson", "jsonl"),
        (b"Title\n\nbody", "story.txt", "txt"),
        (b"title,date\nA,2025-01-01\n", "headlines.csv", "csv"),
        (EVENTS_LINE.encode(), "20251030081500.export.CSV", "gdelt-events"),
        (b'{"articles": []}', "artlist.json", "gdelt-doc"),
        (b'{"title": "a"}', "one.json", "jsonl"),
        (b"[1, 2]", "other.json", None),
        (b'\xef\xbb\xbf<?xml version="1.0"?>\n<feed xmlns="x">', None, "rss"),
        (b"<rdf:RDF xmlns:rdf='x'>", None, "rss"),
        (b"<!DOCTYPE html><html><body>hi</body></html>", None, None),
        (b'{"articles": [{"title": "a"}]}', None, "gdelt-doc"),
        (b'{"title": "a"}\n{"title": "b"}\n', None, "jsonl"),
        (EVENTS_LINE.encode(), None, "gdelt-events"),
        (b'"","title","date.created"\n"1","A","2014-01-29"\n', None, "csv"),
        (b"Just some prose.\nMore prose.", None, None),
        (b"", None, None),
    ],
)
def test_detect_format(data: bytes, filename: str | None, expected: str | None) -> None:
    assert detect_format(data, filename) == expected


def test_every_detected_format_has_a_parser() -> None:
    assert set(PARSERS) == {
        "rss",
        "gdelt-doc",
        "gdelt-events",
        "jsonl",
        "txt",
        "csv",
        "advisory-updates",
    }

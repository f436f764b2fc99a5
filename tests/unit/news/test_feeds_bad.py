"""Hostile and broken feeds: refused or recovered, always with a reason, never a crash."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from service.ingest.news.feeds import parse_feed
from service.ingest.news.text import MAX_TITLE_CHARS
from service.ingest.records import ParseFailure

NOW = datetime(2026, 8, 13, 12, 0, tzinfo=UTC)


def rss(items: str, *, declaration: str = '<?xml version="1.0" encoding="utf-8"?>') -> str:
    return (
        f'{declaration}<rss version="2.0"><channel><title>Test feed</title>'
        f"<link>https://example.org/</link>{items}</channel></rss>"
    )


def item(title: str, *, link: str = "https://example.org/a", extra: str = "") -> str:
    return f"<item><title>{title}</title><link>{link}</link>{extra}</item>"


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol9 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
]>
<rss version="2.0"><channel><title>x</title><item><title>&lol9;</title></item></channel></rss>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>x</title><item><title>&secret;</title></item></channel></rss>"""


@pytest.mark.parametrize("document", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["laughs", "xxe"])
def test_entity_declarations_are_refused_before_feedparser(document: bytes) -> None:
    with pytest.raises(ParseFailure, match="hostile XML"):
        parse_feed(document)


def test_entity_declaration_behind_a_syntax_error_is_still_refused() -> None:
    """expat stops before reaching the declaration, so defusedxml never sees it; feedparser
    must not either."""
    broken = EXTERNAL_ENTITY.replace(b"<!DOCTYPE rss [", b"<rss><!DOCTYPE rss [")
    with pytest.raises(ParseFailure, match="entity declarations"):
        parse_feed(broken)


def test_truncated_feed_keeps_recovered_items_and_says_so() -> None:
    whole = rss("".join(item(f"Story {n}", link=f"https://example.org/{n}") for n in range(5)))
    cut = whole.encode()[: whole.index("Story 4") + 3]

    result = parse_feed(cut)

    assert [a.title for a in result.items] == [f"Story {n}" for n in range(4)]
    assert result.problems[0].location == "document"
    assert "malformed feed" in result.problems[0].message
    assert "kept 4 items" in result.problems[0].message


def test_feed_truncated_before_any_item_is_a_failure() -> None:
    with pytest.raises(ParseFailure, match="no recoverable items"):
        parse_feed(rss(item("Only")).encode()[:60])


@pytest.mark.parametrize(
    "page",
    [
        b"<!DOCTYPE html>\n<html><head><title>Blocked</title></head><body><p>Hi</p></body></html>",
        b"\xef\xbb\xbf<!-- cdn --><html lang=en><body><p>Access denied<br></body>",
    ],
    ids=["well-formed", "bom-comment-unclosed"],
)
def test_html_page_served_as_feed_is_a_failure(page: bytes) -> None:
    with pytest.raises(ParseFailure, match="HTML page"):
        parse_feed(page)


def test_other_xml_is_not_a_feed() -> None:
    with pytest.raises(ParseFailure, match="not an RSS or Atom feed"):
        parse_feed(b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>')


@pytest.mark.parametrize("body", [b"", b"   \r\n\t"], ids=["empty", "whitespace"])
def test_empty_body_is_a_failure(body: bytes) -> None:
    with pytest.raises(ParseFailure, match="empty body"):
        parse_feed(body)


def test_bytes_that_look_like_a_path_are_never_opened() -> None:
    """feedparser treats bytes as a file name; we must hand it a stream instead."""
    with pytest.raises(ParseFailure):
        parse_feed(b"/etc/passwd")


def test_wrong_charset_is_recovered_with_a_problem() -> None:
    """Declared UTF-8, actually Latin-1: the text comes out right and the lie is reported."""
    data = rss(item("Café in Bamako")).encode("latin-1")

    result = parse_feed(data)

    assert [a.title for a in result.items] == ["Café in Bamako"]
    assert result.problems[0].message.startswith("wrong charset (document declared as utf-8")
    assert "windows-1252" in result.problems[0].message


def test_missing_charset_uses_the_http_header() -> None:
    data = rss(item("Crise à Bamako"), declaration="").encode("iso-8859-1")

    result = parse_feed(data, content_type="application/rss+xml; charset=iso-8859-1")

    assert [a.title for a in result.items] == ["Crise à Bamako"]


def test_utf16_with_bom_parses() -> None:
    data = rss(item("Grève générale"), declaration='<?xml version="1.0" encoding="utf-16"?>')

    result = parse_feed(data.encode("utf-16"))

    assert [a.title for a in result.items] == ["Grève générale"]
    assert result.problems == []


def test_megabyte_title_is_truncated_with_a_problem() -> None:
    data = rss(item("A" * 1_048_576)).encode()

    result = parse_feed(data)

    assert len(result.items[0].title) == MAX_TITLE_CHARS
    assert result.problems[0].location == "item 1"
    assert "truncated" in result.problems[0].message


def test_html_in_titles_and_summaries_becomes_text() -> None:
    summary = (
        "&lt;p&gt;Fuel &lt;b&gt;blockade&lt;/b&gt; tightens&lt;/p&gt;"
        "&lt;script&gt;alert(1)&lt;/script&gt;&lt;style&gt;p{}&lt;/style&gt;"
        "&lt;p&gt;Queues grow&lt;/p&gt;"
    )
    data = rss(
        item(
            "Mali &lt;i&gt;crisis&lt;/i&gt; &amp;amp; more",
            extra=f"<description>{summary}</description>",
        )
    )

    article = parse_feed(data.encode()).items[0]

    assert article.title == "Mali crisis & more"
    assert article.text == "Fuel blockade tightens\nQueues grow"


def test_non_http_links_are_dropped() -> None:
    result = parse_feed(rss(item("Click", link="javascript:alert(1)")).encode())

    assert result.items[0].url is None
    assert "unusable URL" in result.problems[0].message


def test_future_and_unparseable_dates_become_none_with_problems() -> None:
    items = item("Future", extra="<pubDate>Sat, 01 Jan 2039 00:00:00 GMT</pubDate>") + item(
        "Garbled", extra="<pubDate>sometime last week</pubDate>"
    )

    result = parse_feed(rss(items).encode(), now=NOW)

    assert [a.published_at for a in result.items] == [None, None]
    assert [p.location for p in result.problems] == ["item 1", "item 2"]
    assert "future" in result.problems[0].message
    assert "unparseable" in result.problems[1].message


def test_item_with_neither_title_nor_text_is_skipped() -> None:
    result = parse_feed(
        rss("<item><link>https://example.org/x</link></item>" + item("Kept")).encode()
    )

    assert [a.title for a in result.items] == ["Kept"]
    assert result.problems[0].location == "item 1"


ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom news</title>
<entry><title type="html">Niger &lt;em&gt;border&lt;/em&gt; closed</title>
<link href="https://example.org/niger"/><id>tag:example.org,2026:1</id>
<updated>2026-08-12T10:00:00+02:00</updated>
<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Trucks wait.</p></div></content>
</entry></feed>"""

RSS_10 = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
 xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://example.org/"><title>RDF news</title><link>https://example.org/</link>
<description>d</description></channel>
<item rdf:about="https://example.org/1"><title>Embassy closes</title>
<link>https://example.org/1</link><dc:date>2026-08-12</dc:date></item>
</rdf:RDF>"""

RSS_091 = b"""<?xml version="1.0"?>
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN"
 "http://my.netscape.com/publish/formats/rss-0.91.dtd">
<rss version="0.91"><channel><title>Old news</title><link>https://example.org/</link>
<item><title>Old story</title><link>https://example.org/old</link></item></channel></rss>"""


def test_atom_entry() -> None:
    article = parse_feed(ATOM).items[0]

    assert article.title == "Niger border closed"
    assert article.text == "Trucks wait."
    assert article.url == "https://example.org/niger"
    assert article.published_at == datetime(2026, 8, 12, 8, 0, tzinfo=UTC)
    assert article.source == "Atom news"


def test_rss_10_with_date_only() -> None:
    article = parse_feed(RSS_10).items[0]

    assert (article.title, article.url) == ("Embassy closes", "https://example.org/1")
    assert article.published_at == datetime(2026, 8, 12, tzinfo=UTC)


def test_rss_091_with_public_doctype_is_accepted() -> None:
    """A DOCTYPE without entity declarations is harmless and still common in old feeds."""
    assert [a.title for a in parse_feed(RSS_091).items] == ["Old story"]


def test_feed_without_items_is_empty_not_a_failure() -> None:
    result = parse_feed(rss("").encode())

    assert result.items == [] and result.problems == []

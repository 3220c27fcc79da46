"""Raw HTML in Markdown bodies: indexed as its text, rendered through the allow-list on
article pages (webapp/sanitise.py), never as literal tags, never as script."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.documents import markdown_to_text
from tests.conftest import cli
from webapp import create_app, sanitise

BODY = """\
The regulator <Strong>suspends</Strong> two licences <script>alert("inline")</script>today.

<div align="center" onclick="steal()"><b>Spectrum</b> &amp; numbering<br>plan
<script>document.cookie</script></div>

<img src="x" onerror="alert('img')">Consultation closes on Friday.

<a href="javascript:alert('a')">Read more</a> or <a href="https://trc.gov.kh/notice">the notice</a>.

![Signing](@/assets/signing.jpg)
"""


def test_the_index_holds_the_text_not_the_tags() -> None:
    assert markdown_to_text(BODY) == (
        "The regulator suspends two licences today.\n\n"
        "Spectrum & numbering plan\n\n"
        "Consultation closes on Friday.\n\n"
        "Read more or the notice."
    )


def test_the_allow_list() -> None:
    assert sanitise.clean("<Strong>x</Strong>") == "<strong>x</strong>"
    assert sanitise.clean('<p onclick="x()">a<script>b()</script></p>') == "<p>a</p>"
    assert sanitise.clean('<img src="x" onerror="alert(1)">') == ""
    assert (
        sanitise.clean('<a href="javascript:alert(1)">r</a>')
        == '<a rel="noopener noreferrer">r</a>'
    )


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory):
    base = tmp_path_factory.mktemp("html")
    (base / "site" / "en").mkdir(parents=True)
    text = f"---\ntitle: Licence notice\ndate: 2025-02-03\n---\n{BODY}"
    (base / "site" / "en" / "notice.md").write_text(text, "utf-8")
    result = cli("index", "--content", base / "site", "--index", base / "ix")
    assert result.returncode == 0, result.stderr
    app = create_app({"INDEX_DIR": base / "ix", "ASSET_BASE_URL": "https://media.example.org/trc"})
    return app.test_client()


def test_the_article_renders_html_safely(client) -> None:
    page = client.get("/a/en/notice?ui=en").get_data(as_text=True)
    article = page[page.index("<main") :]
    assert "regulator <strong>suspends</strong> two licences" in article
    assert "<b>Spectrum</b> &amp; numbering<br>plan" in article
    assert "&lt;Strong&gt;" not in article and "&lt;div" not in article  # no literal tags
    for bad in ("<script", "alert(", "document.cookie", "onerror", "onclick", "javascript:"):
        assert bad not in article, bad
    assert '<a href="https://trc.gov.kh/notice" rel="noopener noreferrer">the notice</a>' in article
    # our own image rule is untouched by the cleaning
    assert (
        '<img src="https://media.example.org/trc/signing.jpg" alt="Signing" loading="lazy">'
        in article
    )


def test_search_finds_text_inside_html(client) -> None:
    data = client.get("/api/search?q=numbering").get_json()
    assert [h["id"] for h in data["results"]] == ["en/notice"]
    assert client.get("/api/search?q=cookie").get_json()["total"] == 0


def test_a_placeholder_in_the_text_forges_nothing(client, tmp_path: Path) -> None:
    env: dict = {}
    assert sanitise.keep(env, "<b>x</b>") == "<b>x</b>"  # outside render: as it is
    from markdown_it import MarkdownIt

    out = sanitise.render(MarkdownIt("commonmark", {"html": True}), "a \ue0000\ue001 b", {})
    assert out == "<p>a 0 b</p>\n"

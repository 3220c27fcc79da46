"""The web app answers over a real index (the full web tests live in test_web_*.py)."""

from __future__ import annotations

from pathlib import Path

from webapp import create_app


def test_app_answers_a_search(content_index: Path) -> None:
    client = create_app({"INDEX_DIR": content_index, "TESTING": True}).test_client()
    page = client.get("/search?q=Kandal")
    assert page.status_code == 200
    assert "Community Tech Centres open at three high schools in Kandal" in page.get_data(
        as_text=True
    )

"""Discover and share, in Debian's Chromium (the fixtures of ``test_browser.py``):
/help on a phone, target sizes, "Skip to filters" opening the panel, and axe-core on
the pages this work added, at 360 and 1280 px, in English and Khmer."""

from __future__ import annotations

import json

import pytest

from tests import test_browser as tb
from tests.test_browser import AXE, DESKTOP, PHONE, _axe, _context

pytestmark = tb.pytestmark
browser, server, articles = tb.browser, tb.server, tb.articles  # the same fixtures

# Each code token of an example with its page rectangles: more than one line box for a
# token is a token broken inside ("title:cerem|ony").
BROKEN_TOKENS = """() => {
  const broken = [];
  for (const code of document.querySelectorAll('.syntax code')) {
    const text = code.firstChild;
    let start = 0;
    for (const token of code.textContent.split(' ')) {
      const range = document.createRange();
      range.setStart(text, start);
      range.setEnd(text, start + token.length);
      const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
      if (tops.size > 1) broken.push(token);
      start += token.length + 1;
    }
  }
  return broken;
}"""


@pytest.mark.parametrize("ui", ["en", "km"])
def test_help_is_readable_on_a_phone(browser, server, ui: str) -> None:
    context, page = _context(browser, PHONE)
    page.goto(f"{server}/help?ui={ui}")
    assert page.locator(".syntax code").count() >= 8
    assert page.evaluate(BROKEN_TOKENS) == []
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]  # nothing runs off the side
    context.close()


@pytest.mark.parametrize("ui", ["en", "km"])
@pytest.mark.parametrize("path", ["/", "/search?q=Takeo", "/help"])
def test_how_to_search_is_a_target_of_24_px(browser, server, ui: str, path: str) -> None:
    context, page = _context(browser, PHONE)
    sep = "&" if "?" in path else "?"
    page.goto(f"{server}{path}{sep}ui={ui}")
    link = page.locator("#search-help a")
    if path == "/help":  # the help page has no search box
        link = page.locator("main a").first
    box = link.bounding_box()
    assert box is not None and box["height"] >= 24 and box["width"] >= 24
    context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("ui", ["en", "km"])
def test_skip_to_filters_opens_the_closed_panel(browser, server, ui: str, javascript) -> None:
    context, page = _context(browser, PHONE, javascript=javascript)
    page.goto(f"{server}/search?q=Takeo&ui={ui}")
    first = page.locator("#filters .facet li a").first
    assert not first.is_visible()  # closed on a phone: the results come first
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#filters"
    page.keyboard.press("Enter")
    page.wait_for_function("location.hash === '#filters'")  # the jump has been made
    first.wait_for(state="visible")
    assert first.is_visible()
    if javascript:
        assert page.evaluate("document.getElementById('filters').open")
    page.keyboard.press("Tab")
    assert page.evaluate("!!document.activeElement.closest('#filters')")
    context.close()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360", "1280"])
@pytest.mark.parametrize("ui", ["en", "km"])
def test_an_officials_and_a_provinces_page(browser, server, ui: str, viewport) -> None:
    context, page = _context(browser, viewport)
    page.goto(f"{server}/person/Chea Vandeth?ui={ui}")
    heading = "Chea Vandeth" if ui == "en" else "ជា វ៉ាន់ដេត"
    assert page.get_by_role("heading", level=1).inner_text() == heading
    offices = page.locator("ul.offices li")
    assert offices.first.is_visible() and "Minister of Posts" in offices.first.inner_text()
    assert page.locator(".timeline li").count() >= 1
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    page.goto(f"{server}/province/Takeo?ui={ui}")
    districts = page.locator("#districts + ul a")
    assert districts.count() >= 1 and districts.first.is_visible()
    districts.first.click()  # a district's page says which province it lies in
    page.wait_for_url(f"{server}/place/**")
    page.wait_for_load_state()  # is_visible() does not wait: a busy machine renders late
    takeo = "Takeo" if ui == "en" else "តាកែវ"
    link = page.locator("ul.units").get_by_role("link", name=takeo)
    link.wait_for(state="visible")
    assert link.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    context.close()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360", "1280"])
@pytest.mark.parametrize("ui", ["en", "km"])
def test_an_articles_related_list(browser, server, articles, ui: str, viewport) -> None:
    context, page = _context(browser, viewport)
    page.goto(f"{server}{articles['en']}?ui={ui}")
    heading = "Related announcements" if ui == "en" else "សេចក្តីប្រកាសពាក់ព័ន្ធ"
    section = page.locator("section.related")
    assert section.get_by_role("heading", name=heading).is_visible()
    links = section.locator("li > a")
    assert 1 <= links.count() <= 5
    assert all(h.endswith(f"?ui={ui}") for h in links.evaluate_all("l => l.map(a => a.href)"))
    box = links.first.bounding_box()
    assert box is not None and box["height"] >= 24
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    title = links.first.inner_text()
    links.first.click()
    assert page.get_by_role("heading", level=1).inner_text() == title
    context.close()


AXE_PAGES = {
    "help": "/help",
    "api help": "/help/api",
    "official": "/person/Chea Vandeth",
    "minister": "/minister/Chea Vandeth",
    "province": "/province/Takeo",
    "place": "/place/Bati",
    "article with related": "{en}",
}


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360", "1280"])
@pytest.mark.parametrize("ui", ["en", "km"])
def test_axe_finds_no_violations_on_the_new_pages(
    browser, server, articles, ui: str, viewport
) -> None:
    if not AXE.is_file():
        pytest.skip("axe-core not installed (npm install --no-save axe-core@4)")
    context, page = _context(browser, viewport, bypass_csp=True)
    found = {}
    for name, path in AXE_PAGES.items():
        path = path.format(**articles)
        sep = "&" if "?" in path else "?"
        page.goto(f"{server}{path}{sep}ui={ui}")
        violations = _axe(page)
        if violations:
            found[name] = violations
    assert not found, json.dumps(found, ensure_ascii=False, indent=1)
    context.close()

"""The search pages in a real headless Chromium (Debian's), driven by Playwright,
against the app served by gunicorn: with JavaScript on and off, and on a phone."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import PROJECT, served

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = PROJECT / "tests" / "artifacts"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed"),
]
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def server(corpus_index: Path) -> Iterator[str]:
    with served(corpus_index) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _count(page) -> int:
    text = page.locator("#results-heading").inner_text()
    digits = re.sub(r"\D", "", text.translate(str.maketrans("០១២៣៤៥៦៧៨៩", "0123456789")))
    return int(digits)


def _journey(browser, base: str, javascript: bool) -> None:
    context = browser.new_context(
        java_script_enabled=javascript, viewport={"width": 1200, "height": 900}
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(base + "/")
    everything = _count(page)
    page.get_by_label("Search announcements").fill("training")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"q=training"))
    found = _count(page)
    assert 0 < found < everything
    # pick a province: counts and results narrow, the filter shows as active
    facet = page.locator("section.facet", has=page.get_by_role("heading", name="Province"))
    facet.get_by_role("link", name=re.compile("^Takeo")).click()
    page.wait_for_url(re.compile(r"province=Takeo"))
    in_takeo = _count(page)
    assert 0 < in_takeo <= found
    assert page.locator(".active").get_by_text("Province: Takeo").is_visible()
    # and a minister
    ministers = page.locator("section.facet", has=page.get_by_role("heading", name="Minister"))
    ministers.get_by_role("link").first.click()
    page.wait_for_url(re.compile(r"minister="))
    narrowed = _count(page)
    assert 0 < narrowed <= in_takeo
    titles = page.locator(".hit h3 a")
    assert titles.count() == min(narrowed, 10)
    # open an announcement, then read the interface in Khmer
    first = titles.first.inner_text()
    titles.first.click()
    assert page.locator("h1").inner_text() == first
    page.get_by_role("link", name="ភាសាខ្មែរ").click()
    assert page.locator("html").get_attribute("lang") == "km"
    assert page.get_by_role("link", name="English").is_visible()
    # the choice is remembered on the next page
    page.goto(base + "/search?q=Takeo")
    assert page.locator("html").get_attribute("lang") == "km"
    assert not [e for e in errors if "Content Security Policy" in e], errors
    context.close()


def test_search_journey_with_javascript(browser, server) -> None:
    _journey(browser, server, javascript=True)


def test_search_journey_without_javascript(browser, server) -> None:
    _journey(browser, server, javascript=False)


def test_phone_width_screenshot_and_khmer_query(browser, server) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 360, "height": 780}, device_scale_factor=2)
    page = context.new_page()
    page.goto(server + "/search?ui=km")
    page.get_by_role("searchbox").fill("ខេត្តតាកែវ")
    page.get_by_role("searchbox").press("Enter")
    page.wait_for_url(re.compile(r"q="))
    assert _count(page) >= 20
    assert page.locator(".hit mark").first.is_visible()
    # nothing wider than the phone
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, width
    shot = ARTIFACTS / "search-360px-km.png"
    page.screenshot(path=str(shot), full_page=False)
    assert shot.stat().st_size > 10_000
    context.close()


def test_keyboard_focus_order_and_labels(browser, server) -> None:
    page = browser.new_page()
    page.goto(server + "/search?q=Takeo&ui=en")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "q"
    # every form control has a label
    unlabeled = page.evaluate(
        """[...document.querySelectorAll('input:not([type=hidden]), select')]
             .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).length"""
    )
    assert unlabeled == 0
    # the Khmer web font is loaded from the app, not a CDN
    page.goto(server + "/search?q=តាកែវ")
    page.wait_for_function("document.fonts.status === 'loaded'")
    assert page.evaluate("document.fonts.check('16px \"Noto Sans Khmer\"', 'ក')")
    page.close()


CONTRAST = """
() => {
  const parse = c => c.match(/[\\d.]+/g).slice(0, 4).map(Number);
  const lum = ([r, g, b]) => {
    const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = el => {
    for (; el; el = el.parentElement) {
      const c = parse(getComputedStyle(el).backgroundColor);
      if (c.length < 4 || c[3] > 0) return c;
    }
    return [255, 255, 255];
  };
  const out = [];
  for (const sel of ["body", ".meta", ".help", ".count", "header.site a", ".hit h3 a", ".tag",
                     ".facet li a", "mark", "button", ".timeline text"]) {
    const el = document.querySelector(sel);
    if (!el) continue;
    const [a, b] = [lum(parse(getComputedStyle(el).color)), lum(background(el))];
    out.push([sel, (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)]);
  }
  return out;
}
"""


def test_text_contrast_meets_wcag_aa(browser, server) -> None:
    page = browser.new_page()
    page.goto(server + "/search?q=Takeo&ui=en")
    ratios = dict(page.evaluate(CONTRAST))
    assert len(ratios) >= 10, ratios
    low = {sel: round(r, 2) for sel, r in ratios.items() if r < 4.5}
    assert not low, low  # 4.5:1 for normal text (WCAG 2.1 AA, 1.4.3)
    page.close()

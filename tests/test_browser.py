"""The search pages in a real headless Chromium (Debian's), driven by Playwright,
against the app served by gunicorn: with JavaScript on and off, on a phone (360 px)
and a desktop (1280 px), in English and Khmer; accessibility checked with axe-core
(installed from npm by .ci/run). The README's screenshots are made here."""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import PROJECT, served

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = PROJECT / "tests" / "artifacts"
# The README's screenshots are refreshed by a command of their own (README, "The public
# pages"), so the test command leaves the tree as it found it: PRAKAS_SCREENSHOTS names
# the folder to write them to.
SCREENSHOTS = os.environ.get("PRAKAS_SCREENSHOTS")
AXE = PROJECT / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 360, "height": 780}
DESKTOP = {"width": 1280, "height": 900}
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
def server(search_index: Path) -> Iterator[str]:
    """The real corpus when ../shared has it, else the bundled content/."""
    with served(search_index) as base:
        yield base


@pytest.fixture(scope="module")
def articles(server: str) -> dict:
    """Paths of announcements about Takeo: ``en``, ``km`` (one each), ``ens`` (a few)."""
    import urllib.request

    out = {}
    for lang in ("en", "km"):
        with urllib.request.urlopen(f"{server}/search?q=Takeo&lang={lang}&ui=en") as r:
            html = r.read().decode()
        found = list(dict.fromkeys(re.findall(rf'href="(/a/{lang}/[^"?]+)', html)))
        out[lang], out[f"{lang}s"] = found[0], found[:5]
    return out


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
    page.locator("#q").fill("ខេត្តតាកែវ")
    page.locator("#q").press("Enter")
    page.wait_for_url(re.compile(r"q="))
    assert _count(page) >= 1
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
    for _ in range(4):  # skip to filters, home, the other language
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
                     ".facet li a", "mark", "button", ".timeline .label", ".filters > summary"]) {
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


# --- issue 14: the public box on a phone ----------------------------------------------------


def _context(browser, viewport: dict, javascript: bool = True, **options):
    context = browser.new_context(java_script_enabled=javascript, viewport=viewport, **options)
    return context, context.new_page()


def _top(page, selector: str) -> float:
    """Distance in px from the top of the document to the first element matching."""
    return page.evaluate(
        "s => document.querySelector(s).getBoundingClientRect().top + window.scrollY", selector
    )


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("ui", ["en", "km"])
def test_filters_within_two_screens_on_a_phone(browser, server, ui: str, javascript: bool) -> None:
    context, page = _context(browser, PHONE, javascript)
    page.goto(f"{server}/search?q=Takeo&ui={ui}")
    screen = PHONE["height"]
    summary = page.locator("#filters > summary")
    assert summary.is_visible() and _top(page, "#filters > summary") < screen
    assert _top(page, ".hit") < screen  # the results still start on the first screen
    assert not page.locator("#facet-province a").first.is_visible()  # folded away
    summary.click()  # a <details>: opens without JavaScript
    first = page.locator(".filters .facet a").first
    first.wait_for(state="visible")
    assert _top(page, ".filters .facet a") < 2 * screen
    # and the filter works from there
    province = page.locator("#facet-province a").first
    province.click()
    page.wait_for_url(re.compile(r"province="))
    assert page.locator(".active .chip").count() == 1
    context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("ui", ["en", "km"])
def test_first_filter_within_ten_tab_stops_on_a_desktop(
    browser, server, ui: str, javascript: bool
) -> None:
    context, page = _context(browser, DESKTOP, javascript)
    page.goto(f"{server}/search?q=Takeo&ui={ui}")
    assert page.locator("#facet-province a").first.is_visible()  # a sidebar, open
    assert not page.locator("#filters > summary").is_visible()
    stops = 0
    while stops < 60:
        page.keyboard.press("Tab")
        stops += 1
        if page.evaluate("!!document.activeElement.closest('.filters .facet a')"):
            break
    assert stops <= 10, stops
    context.close()


@pytest.mark.parametrize("ui", ["en", "km"])
def test_skip_links_reach_results_and_filters(browser, server, ui: str) -> None:
    context, page = _context(browser, DESKTOP)
    page.goto(f"{server}/search?q=Takeo&ui={ui}")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#filters"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("!!document.activeElement.closest('#filters')")
    context.close()


def _axe(page) -> list[dict]:
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async () => { const r = await axe.run(document);"
        " return {passes: r.passes.length, violations: r.violations.map(v => ({id: v.id,"
        " impact: v.impact, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}))}; }"
    )
    assert result["passes"] > 10  # the rules really ran on the page
    return result["violations"]


AXE_PAGES = {
    "landing": "/",
    "results": "/search?q=Takeo&province=Takeo",
    "year": "/search?year=2025",
    "no results": "/search?q=qqqzzzxx",
    "article": "{en}?q=Takeo",
    "khmer article": "{km}",
    "help": "/help",
    "400": "/search?year=twenty",
    "404": "/a/en/nope",
}


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360", "1280"])
@pytest.mark.parametrize("ui", ["en", "km"])
def test_axe_finds_no_violations(browser, server, articles, ui: str, viewport: dict) -> None:
    if not AXE.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"axe-core is not installed at {AXE} (.ci/run installs it)")
        pytest.skip("axe-core not installed (npm install --no-save axe-core@4)")
    # the page's CSP forbids inline scripts, rightly: let the test inject axe
    context, page = _context(browser, viewport, bypass_csp=True)
    found = {}
    for name, path in AXE_PAGES.items():
        path = path.format(**articles)
        sep = "&" if "?" in path else "?"
        page.goto(f"{server}{path}{sep}ui={ui}")
        if page.locator("#filters > summary").is_visible():
            page.locator("#filters > summary").click()  # check the filters too
        violations = _axe(page)
        if violations:
            found[name] = violations
    assert not found, json.dumps(found, ensure_ascii=False, indent=1)
    context.close()


def test_shared_link_with_tracking_lands_on_results(browser, server) -> None:
    context, page = _context(browser, PHONE)
    page.goto(f"{server}/search?q=Takeo&fbclid=IwAR2x-example&utm_source=facebook&ui=en")
    assert page.url == f"{server}/search?q=Takeo&ui=en"
    assert page.locator(".hit").count() == min(_count(page), 10) > 0
    context.close()


def test_khmer_font_is_a_woff2_subset(browser, server) -> None:
    context, page = _context(browser, PHONE)
    fonts: list[tuple[str, str, int]] = []

    def seen(response) -> None:
        if "font" in (response.headers.get("content-type") or ""):
            fonts.append((response.url, response.headers["content-type"], len(response.body())))

    page.on("response", seen)
    page.goto(f"{server}/search?q=តាកែវ&ui=km")
    page.wait_for_function("document.fonts.status === 'loaded'")
    assert page.evaluate("document.fonts.check('16px \"Noto Sans Khmer\"', 'ក')")
    assert len(fonts) == 1, fonts
    url, kind, size = fonts[0]
    assert url.endswith(".woff2") and kind == "font/woff2" and size < 80_000
    context.close()


def test_timeline_is_legible_without_hover(browser, server) -> None:
    context, page = _context(browser, PHONE)
    for path in ("/search?ui=km", "/search?year=2025&ui=en"):
        page.goto(server + path)
        page.locator("#filters > summary").click()
        sizes = page.evaluate(
            "[...document.querySelectorAll('.timeline .label, .timeline .count')]"
            ".map(e => parseFloat(getComputedStyle(e).fontSize))"
        )
        assert sizes and min(sizes) >= 12, sizes
        assert page.locator(".timeline .count").first.is_visible()
    assert page.locator(".timeline .label").count() == 12  # the months of 2025
    context.close()


def test_khmer_title_underlines_clear_the_subscripts(browser, server) -> None:
    context, page = _context(browser, PHONE)
    page.goto(server + "/search?q=តាកែវ&ui=km")
    link = page.locator('.hit h3[lang="km"] a').first
    offset = link.evaluate("a => parseFloat(getComputedStyle(a).textUnderlineOffset)")
    size = link.evaluate("a => parseFloat(getComputedStyle(a).fontSize)")
    assert offset >= 0.4 * size  # below the coeng (subscript) letters, not through them
    context.close()


LINE_LENGTHS = """
() => {
  const out = [];
  for (const p of [...document.querySelectorAll('article .body p')].slice(0, 6)) {
    const text = p.firstChild;
    if (!text || text.nodeType !== 3) continue;
    const lines = new Map();
    const range = document.createRange();
    for (let i = 0; i < text.length; i++) {
      range.setStart(text, i); range.setEnd(text, i + 1);
      const r = range.getClientRects()[0];
      if (r) lines.set(Math.round(r.top), (lines.get(Math.round(r.top)) || 0) + 1);
    }
    out.push(...lines.values());
  }
  return out;
}
"""


def test_article_has_a_readable_measure_on_a_desktop(browser, server, articles) -> None:
    context, page = _context(browser, DESKTOP)
    lengths = []
    for path in articles["ens"]:
        page.goto(server + path + "?q=Takeo&ui=en")
        lengths += page.evaluate(LINE_LENGTHS)
    assert len(lengths) >= 6 and max(lengths) <= 75, lengths
    assert max(lengths) >= 55  # full lines were measured, not a column of words
    page.goto(server + articles["en"] + "?q=Takeo&ui=en")
    page.get_by_role("link", name=re.compile("Back to results")).click()
    page.wait_for_url(re.compile(r"/search\?q=Takeo"))
    assert page.locator("#q").input_value() == "Takeo"
    context.close()


@pytest.mark.parametrize(
    "name, viewport, path",
    [
        ("phone", PHONE, "/search?q=Takeo&ui=en"),
        ("phone-km", PHONE, "/search?q=តាកែវ&ui=km"),
        ("desktop", DESKTOP, "/search?q=training&ui=en"),
        ("desktop-km", DESKTOP, "/search?ui=km"),
    ],
)
def test_screenshots_for_the_readme(
    browser, server, name: str, viewport: dict, path: str, tmp_path: Path
) -> None:
    """docs/screenshots/*.png, as the README shows them (one screen each): written to a
    temporary folder unless ``PRAKAS_SCREENSHOTS`` names the folder to refresh."""
    folder = Path(SCREENSHOTS) if SCREENSHOTS else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    context, page = _context(browser, viewport)
    page.goto(server + path)
    page.wait_for_function("document.fonts.status === 'loaded'")
    shot = folder / f"{name}.png"
    page.screenshot(path=str(shot))
    assert 10_000 < shot.stat().st_size < 400_000
    context.close()

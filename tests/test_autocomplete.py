"""The search box's autocomplete (issue 23) in a real Chromium against gunicorn: the
WAI-ARIA 1.2 combobox pattern driven by keyboard, its live region in the interface
language, requests debounced and stale ones aborted, axe-core clean with the list open
at 360 and 1280 px in English and Khmer; without JavaScript the box is the plain search
box it was.

The server and browser are :mod:`tests.test_browser`'s (the real corpus when ../shared
has it, else the bundled content/): the expectations hold on both.
"""

from __future__ import annotations

import json
import os
import re

import pytest

from tests.test_browser import AXE, DESKTOP, PHONE, _axe, _context, browser, server

__all__ = ["browser", "server"]  # the fixtures, shared
pytestmark = [pytest.mark.browser]
LISTBOX = "#q-suggestions"


def _type(page, text: str) -> list[dict]:
    """Type into the box as a person does; the options once the list has opened."""
    page.locator("#q").click()
    page.keyboard.type(text, delay=30)
    page.locator(LISTBOX).wait_for(state="visible")
    return page.evaluate(
        """s => [...document.querySelectorAll(s + ' [role=option]')].map(o => ({
             id: o.id, label: o.children[0].textContent, kind: o.children[1].textContent,
             selected: o.getAttribute('aria-selected')}))""",
        LISTBOX,
    )


def _attr(page, name: str) -> str | None:
    return page.locator("#q").get_attribute(name)


def _down_to(page, options: list[dict], index: int) -> None:
    for _ in range(index + 1):
        page.keyboard.press("ArrowDown")
    assert _attr(page, "aria-activedescendant") == options[index]["id"]
    assert page.locator(f"#{options[index]['id']}").get_attribute("aria-selected") == "true"
    selected = page.locator(f"{LISTBOX} [aria-selected=true]")
    assert selected.count() == 1


@pytest.mark.parametrize(
    ("ui", "typed", "label", "kind", "status"),
    [
        ("en", "Take", "Takeo", "Province", re.compile(r"^[1-8] suggestions?$")),
        ("km", "តាកែ", "តាកែវ", "ខេត្ត", re.compile(r"^ការណែនាំ [១-៨]$")),
    ],
    ids=["en", "km"],
)
def test_keyboard_chooses_a_province(
    browser, server, ui: str, typed: str, label: str, kind: str, status: re.Pattern
) -> None:
    context, page = _context(browser, DESKTOP)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url) if "/api/suggest" in r.url else None)
    page.goto(f"{server}/?ui={ui}")
    box = page.locator("#q")
    # the combobox pattern's attributes, closed
    assert box.get_attribute("role") == "combobox"
    assert box.get_attribute("aria-autocomplete") == "list"
    assert box.get_attribute("aria-controls") == "q-suggestions"
    assert box.get_attribute("aria-expanded") == "false"
    assert page.locator(LISTBOX).get_attribute("role") == "listbox"
    options = _type(page, typed)
    # typed a letter every 30 ms: one request once typing paused, not one per letter
    assert len(requests) == 1, requests
    assert box.get_attribute("aria-expanded") == "true"
    assert 1 <= len(options) <= 8
    assert all(o["selected"] == "false" for o in options)
    assert _attr(page, "aria-activedescendant") is None
    # the live region says how many, in the interface language
    live = page.locator("form.search [role=status]")
    assert live.get_attribute("aria-live") == "polite"
    assert status.match(live.text_content()), live.text_content()
    said = live.text_content().translate(str.maketrans("០១២៣៤៥៦៧៨", "012345678"))
    assert str(len(options)) in said
    # ArrowDown to the province, ArrowUp wraps from the first to the last, Escape closes
    index = next(i for i, o in enumerate(options) if (o["label"], o["kind"]) == (label, kind))
    page.keyboard.press("ArrowDown")
    assert _attr(page, "aria-activedescendant") == options[0]["id"]
    page.keyboard.press("ArrowUp")
    assert _attr(page, "aria-activedescendant") == options[-1]["id"]
    page.keyboard.press("Escape")
    assert box.get_attribute("aria-expanded") == "false"
    assert page.locator(LISTBOX).is_hidden()
    assert _attr(page, "aria-activedescendant") is None
    assert box.input_value() == typed  # Escape closed the list, and kept the text
    _down_to(page, options, index)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"province=Takeo"))
    assert page.locator(".active .chip").count() == 1
    context.close()


def test_keyboard_chooses_a_title(browser, server) -> None:
    context, page = _context(browser, PHONE)
    page.goto(f"{server}/?ui=en")
    options = _type(page, "inaug")
    index = next(i for i, o in enumerate(options) if o["kind"] == "Announcement")
    _down_to(page, options, index)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/a/en/"))
    assert page.locator("h1").inner_text() == options[index]["label"]
    context.close()


def test_enter_without_a_chosen_option_searches(browser, server) -> None:
    context, page = _context(browser, DESKTOP)
    page.goto(f"{server}/?ui=en")
    _type(page, "Take")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=Take"))
    context.close()


def test_without_javascript_nothing_changes(browser, server) -> None:
    context, page = _context(browser, DESKTOP, javascript=False)
    page.goto(f"{server}/?ui=en")
    box = page.locator("#q")
    assert box.get_attribute("role") is None
    assert box.get_attribute("aria-expanded") is None
    assert page.locator(LISTBOX).count() == 0
    box.fill("Takeo")
    box.press("Enter")
    page.wait_for_url(re.compile(r"q=Takeo"))
    context.close()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360", "1280"])
@pytest.mark.parametrize(("ui", "typed"), [("en", "Take"), ("km", "តាកែ")], ids=["en", "km"])
def test_axe_with_the_list_open(browser, server, ui: str, typed: str, viewport: dict) -> None:
    if not AXE.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"axe-core is not installed at {AXE} (.ci/run installs it)")
        pytest.skip("axe-core not installed (npm install --no-save axe-core@4)")
    context, page = _context(browser, viewport, bypass_csp=True)
    page.goto(f"{server}/search?q=&ui={ui}")
    options = _type(page, typed)
    page.keyboard.press("ArrowDown")
    assert _attr(page, "aria-activedescendant") == options[0]["id"]
    # the list lies within the page's width
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    violations = _axe(page)
    assert not violations, json.dumps(violations, ensure_ascii=False, indent=1)
    context.close()


def test_a_newer_request_aborts_the_stale_one(browser, server) -> None:
    context, page = _context(browser, DESKTOP)
    held: list = []
    failed: list[str] = []
    # the answer for "Ta" is held back until "Takeo" has been asked for
    page.route(
        re.compile(r"/api/suggest\?q=Ta$"),
        lambda route: held.append(route),
    )
    page.on("requestfailed", lambda r: failed.append(r.url) if "/api/suggest" in r.url else None)
    page.goto(f"{server}/?ui=en")
    page.locator("#q").click()
    page.keyboard.type("Ta")
    page.wait_for_timeout(400)  # past the debounce: "Ta" is asked for, and held
    assert len(held) == 1
    page.keyboard.type("keo")
    page.locator(LISTBOX).wait_for(state="visible")
    assert any(url.endswith("q=Ta") for url in failed), failed  # aborted by the page
    labels = page.locator(f"{LISTBOX} [role=option] span:first-child").all_inner_texts()
    assert "Takeo" in labels
    context.close()

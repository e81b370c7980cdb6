"""Phone first (issue 19, item 3), in a real Chromium, in Dutch (the longer language) and English.

- No page scrolls sideways at 320 and 360 px: every public and attendee page of
  `test_every_page.PAGES` and every volunteer page. A page overflows when the document is wider
  than the window, or some element sticks out on the right, or a box's content is wider than
  the box (text that overflows it), unless that element sits in a box that scrolls or clips on
  its own (a wide table in `.table-scroll`).
- On a small screen the navigation hides behind a "Menu" button; without JavaScript the links
  are simply there.
- The ticket page shows the QR code first: whole, on a 360 x 640 screen, without scrolling.
- The focus indicator contrasts at least 3:1 with what is around it, on every background the
  keyboard reaches (the wine-red header, white pages, the grey footer).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_every_page import PAGES, _url, site  # noqa: F401  (the site fixture)

WIDTHS = (320, 360)
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const found = [];
  const describe = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + (typeof el.className === 'string' && el.className
       ? '.' + el.className.trim().split(/\\s+/).join('.') : '')
    + ' "' + (el.innerText || '').trim().slice(0, 40) + '"';
  const contained = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const x = getComputedStyle(p).overflowX;
      if (x === 'auto' || x === 'scroll' || x === 'hidden' || x === 'clip') return true;
    }
    return false;
  };
  if (document.documentElement.scrollWidth > width) {
    found.push('the document is ' + document.documentElement.scrollWidth + ' px wide');
  }
  for (const el of document.body.querySelectorAll('*')) {
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden') continue;
    if (el.closest('.visually-hidden, .skip-link, [hidden]')) continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || contained(el)) continue;
    if (box.right > width + 0.5) {
      found.push(describe(el) + ' ends at ' + Math.round(box.right) + ' px');
    } else if (el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1
               && style.overflowX === 'visible'
               && !['INPUT', 'SELECT', 'TEXTAREA'].includes(el.tagName)) {
      found.push(describe(el) + ' holds ' + el.scrollWidth + ' px in ' + el.clientWidth);
    }
  }
  return found.slice(0, 8);
}"""
VOLUNTEER_PAGES = [
    "/scanner",
    "/scanner/entrance",
    "/scanner/entrance/zoeken?q=janssens",
    "/scanner/entrance/zoeken?q=janssens&lang=en",
    "/beheer/checkin",
]


def overflow(tab) -> list[str]:
    return tab.evaluate(OVERFLOW)


def _attendee(browser, site, width: int, **options):  # noqa: F811
    context = browser.new_context(
        locale="nl-BE", timezone_id="Europe/Brussels", viewport={"width": width, "height": 640},
        **options,
    )  # fmt: skip
    context.add_cookies(
        [{"name": site["cookie_name"], "value": site["cookie"], "url": site["url"]}]
    )
    return context


@pytest.mark.parametrize("width", WIDTHS)
def test_no_public_or_attendee_page_scrolls_sideways(browser, site, width):  # noqa: F811
    anonymous = browser.new_context(
        locale="nl-BE", timezone_id="Europe/Brussels", viewport={"width": width, "height": 640}
    )
    attendee = _attendee(browser, site, width)
    tabs = {"anonymous": anonymous.new_page(), "attendee": attendee.new_page()}
    failures = []
    for page in PAGES:
        tab = tabs[page.who]
        response = tab.goto(_url(site, page))
        assert response.status == 200, page.label
        problems = overflow(tab)
        if problems:
            failures.append(f"{page.label} ({page.path}): " + "; ".join(problems))
    anonymous.close()
    attendee.close()
    assert not failures, f"pages that scroll sideways at {width} px:\n" + "\n".join(failures)


@pytest.mark.parametrize("width", WIDTHS)
def test_no_volunteer_page_scrolls_sideways(browser, site, width):  # noqa: F811
    context = browser.new_context(
        locale="nl-BE", timezone_id="Europe/Brussels", viewport={"width": width, "height": 640}
    )
    tab = context.new_page()
    tab.goto(site["url"] + "/beheer/login")
    tab.get_by_label("E-mailadres").fill("nieuw@example.org")
    tab.get_by_label("Wachtwoord").fill("wachtwoord-nieuw")
    tab.get_by_role("button", name="Inloggen").click()
    expect(tab.locator("h1")).not_to_have_text("Inloggen voor medewerkers")
    failures = []
    for path in VOLUNTEER_PAGES:
        response = tab.goto(site["url"] + path)
        assert response.status == 200, path
        problems = overflow(tab)
        if problems:
            failures.append(f"{path}: " + "; ".join(problems))
    context.close()
    assert not failures, f"pages that scroll sideways at {width} px:\n" + "\n".join(failures)


def test_the_menu_folds_behind_a_button_on_a_phone(browser, site):  # noqa: F811
    """ "Menu" is a details element: it folds and unfolds with or without JavaScript."""
    phone = {"width": 360, "height": 640}
    for javascript in (True, False):
        context = browser.new_context(
            locale="nl-BE", viewport=phone, java_script_enabled=javascript
        )
        tab = context.new_page()
        tab.goto(site["url"] + "/")
        menu = tab.locator("summary", has_text="Menu")
        programme = tab.get_by_role("navigation", name="Hoofdmenu").get_by_role(
            "link", name="Programma"
        )
        expect(menu).to_be_visible()
        expect(programme).to_be_hidden()
        header = tab.locator(".site-header").bounding_box()
        assert header["height"] <= 160, header  # was up to 365 of 640 px with the open menu
        menu.click()
        expect(programme).to_be_visible()
        assert overflow(tab) == []
        if javascript:
            tab.keyboard.press("Tab")
            tab.keyboard.press("Escape")
            expect(programme).to_be_hidden()
            expect(menu).to_be_focused()
        else:
            programme.click()
            expect(tab.locator("h1")).to_have_text("Programma")
        context.close()

    # On a wide screen the menu is always open and "Menu" is not shown, with or without script.
    for javascript in (True, False):
        context = browser.new_context(
            locale="nl-BE", viewport={"width": 1280, "height": 800}, java_script_enabled=javascript
        )
        tab = context.new_page()
        tab.goto(site["url"] + "/?lang=en")
        expect(tab.locator("summary", has_text="Menu")).to_be_hidden()
        expect(tab.get_by_role("link", name="Programme", exact=True)).to_be_visible()
        context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_the_ticket_shows_the_qr_code_first(browser, site, javascript):  # noqa: F811
    context = browser.new_context(
        locale="nl-BE", viewport={"width": 360, "height": 640}, java_script_enabled=javascript
    )
    tab = context.new_page()
    tab.goto(site["url"] + f"/t/{site['ticket']}")
    qr = tab.get_by_role("img", name="QR-code van je ticket")
    box = qr.bounding_box()
    assert box["width"] >= 200, box  # big enough to scan from a phone
    assert box["y"] >= 0 and box["y"] + box["height"] <= 640, (
        f"the QR code is below the fold: {box}"
    )
    # Nothing but the page title stands before it in the content.
    before = tab.evaluate(
        "() => { const qr = document.querySelector('main img');"
        " return [...document.querySelectorAll('main p, main h1, main ul')]"
        ".filter(e => e.compareDocumentPosition(qr) & Node.DOCUMENT_POSITION_FOLLOWING"
        " && !e.contains(qr)).map(e => e.tagName); }"
    )
    assert before in (["H1"], []), before
    context.close()


CONTRAST = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const rgba = (text) => (text.match(/rgba?\\([^)]*\\)/g) || []).map((c) => {
    const n = c.match(/[\\d.]+/g).map(Number);
    return {r: n[0], g: n[1], b: n[2], a: n.length > 3 ? n[3] : 1};
  });
  const lum = (c) => {
    const f = (v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  };
  const ratio = (a, b) => {
    const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  };
  let around = {r: 255, g: 255, b: 255, a: 1};
  for (let p = el.parentElement; p; p = p.parentElement) {
    const bg = rgba(getComputedStyle(p).backgroundColor)[0];
    if (bg && bg.a > 0) { around = bg; break; }
  }
  const style = getComputedStyle(el);
  const colours = [];
  if (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) {
    colours.push(...rgba(style.outlineColor));
  }
  if (style.boxShadow !== 'none') colours.push(...rgba(style.boxShadow));
  colours.push(...rgba(style.backgroundColor));
  const best = Math.max(0, ...colours.filter((c) => c.a > 0).map((c) => ratio(c, around)));
  const text = (el.innerText || el.value || el.id || '').trim().slice(0, 30);
  return {what: el.tagName.toLowerCase() + ' ' + text,
          around: [around.r, around.g, around.b], best: Math.round(best * 100) / 100};
}"""


@pytest.mark.parametrize(
    ("path", "width"),
    [("/", 1280), ("/", 360), ("/inschrijven", 1280), ("/mijn-inschrijving", 1280)],
)
def test_the_focus_indicator_contrasts_on_every_background(browser, site, path, width):  # noqa: F811
    context = _attendee(browser, site, width)
    tab = context.new_page()
    tab.goto(site["url"] + path)
    weak, backgrounds = [], set()
    for _ in range(45):
        tab.keyboard.press("Tab")
        info = tab.evaluate(CONTRAST)
        if info is None:
            continue
        backgrounds.add(tuple(info["around"]))
        if info["best"] < 3:
            weak.append(info)
    context.close()
    assert not weak, f"focus indicators under 3:1 on {path}: {weak}"
    if path == "/":
        assert (138, 21, 56) in backgrounds or (94, 14, 38) in backgrounds  # the header was reached

"""Every HTML output opened in a real browser (headless Chromium) — the reports, the index of the pages per faculty
and programme, a programme page and the slides in each language: no network request, no console error, every
image loaded, no missing glyph. Skipped where ``/usr/bin/chromium`` is absent (Debian: ``apt-get install
chromium``).

How: Chromium is driven through the DevTools protocol over a pipe (``--remote-debugging-pipe``: JSON messages on
file descriptors 3 and 4, separated by NUL bytes), so nothing but the standard library is needed and no port is
opened. For each page the test records ``Network.requestWillBeSent`` (every URL must be ``file:`` or ``data:``),
``Runtime.consoleAPICalled`` of type error or assert, ``Runtime.exceptionThrown`` and ``Log.entryAdded`` of
level error; after the load event it evaluates, in the page, whether every ``<img>`` has ``complete`` and
``naturalWidth > 0``, and whether any character of the page's visible text is drawn as the "missing glyph" box:
each distinct character is drawn on a canvas in the font of the element that holds it and compared, pixel by
pixel, with an unassigned code point (U+0378) drawn in the same font — identical pixels mean the browser found no
glyph for it in any installed font (white space and invisible format characters are skipped). That is the tofu a
reader would see, whatever fonts the machine has.
"""

from __future__ import annotations

import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--remote-debugging-pipe",
         "--hide-scrollbars", "--window-size=1100,900"]
COHORT = "tiny-2025"

CHECK_PAGE = r"""
(() => {
  const images = [...document.images].filter(i => !(i.complete && i.naturalWidth > 0))
                                     .map(i => i.alt || i.src.slice(0, 40));
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const fonts = new Map();  // character -> computed font of an element that shows it
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || !el.offsetParent && getComputedStyle(el).position !== 'fixed') continue;  // not rendered
    const st = getComputedStyle(el);
    const font = `${st.fontStyle} ${st.fontWeight} 24px ${st.fontFamily}`;
    for (const ch of n.data) {
      if (/[\s\u00ad\u200b-\u200f\u2060\ufeff]/.test(ch) || fonts.has(ch)) continue;
      fonts.set(ch, font);
    }
  }
  const canvas = document.createElement('canvas'); canvas.width = 40; canvas.height = 40;
  const ctx = canvas.getContext('2d', {willReadFrequently: true});
  const draw = (ch, font) => { ctx.clearRect(0, 0, 40, 40); ctx.font = font; ctx.fillText(ch, 4, 30);
                               return ctx.getImageData(0, 0, 40, 40).data.join(','); };
  const missing = [];
  for (const [ch, font] of fonts) {
    if (draw(ch, font) === draw('\u0378', font)) missing.push(ch);
  }
  return {images, missing, chars: fonts.size};
})()
"""


class DevTools:
    """A minimal DevTools-protocol client over Chromium's pipe (fd 3: commands in, fd 4: replies and events out)."""

    def __init__(self, profile: str) -> None:
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()

        def child_fds() -> None:  # the child sees our pipe ends as its fds 3 and 4 (copied high first: no clash)
            high_r, high_w = fcntl.fcntl(to_chrome_r, fcntl.F_DUPFD, 10), fcntl.fcntl(from_chrome_w, fcntl.F_DUPFD, 10)
            os.dup2(high_r, 3)
            os.dup2(high_w, 4)

        self.proc = subprocess.Popen(
            [str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            pass_fds=(3, 4), preexec_fn=child_fds)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buf = b""
        self._id = 0
        self.events: list[dict] = []

    def _read(self, timeout: float) -> dict | None:
        end = time.monotonic() + timeout
        while b"\0" not in self._buf:
            left = end - time.monotonic()
            if left <= 0 or not select.select([self._from_chrome], [], [], left)[0]:
                return None
            chunk = os.read(self._from_chrome, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium closed the DevTools pipe")
            self._buf += chunk
        msg, self._buf = self._buf.split(b"\0", 1)
        return json.loads(msg)

    def send(self, method: str, params: dict | None = None, session: str | None = None,
             timeout: float = 30.0) -> dict:
        self._id += 1
        msg = {"id": self._id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._to_chrome, json.dumps(msg).encode() + b"\0")
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            reply = self._read(end - time.monotonic())
            if reply is None:
                break
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)
        raise TimeoutError(method)

    def wait_for(self, method: str, session: str, timeout: float = 30.0) -> None:
        if any(e.get("method") == method and e.get("sessionId") == session for e in self.events):
            return
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            e = self._read(end - time.monotonic())
            if e is None:
                break
            self.events.append(e)
            if e.get("method") == method and e.get("sessionId") == session:
                return
        raise TimeoutError(method)

    def close(self) -> None:
        try:
            self.send("Browser.close", timeout=5)
        except (RuntimeError, TimeoutError, OSError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        os.close(self._to_chrome)
        os.close(self._from_chrome)


def check_page(dt: DevTools, url: str) -> dict:
    """Open ``url`` in a new tab and report its requests, console errors, broken images and missing glyphs."""
    target = dt.send("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = dt.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    for domain in ("Page", "Network", "Runtime", "Log"):
        dt.send(f"{domain}.enable", session=session)
    dt.events.clear()
    dt.send("Page.navigate", {"url": url}, session=session)
    dt.wait_for("Page.loadEventFired", session)
    result = dt.send("Runtime.evaluate", {"expression": CHECK_PAGE, "returnByValue": True},
                     session=session)["result"]["value"]
    mine = [e for e in dt.events if e.get("sessionId") == session]
    requests = [e["params"]["request"]["url"] for e in mine if e.get("method") == "Network.requestWillBeSent"]
    errors = [e["params"] for e in mine if
              (e.get("method") == "Runtime.consoleAPICalled" and e["params"].get("type") in ("error", "assert"))
              or e.get("method") == "Runtime.exceptionThrown"
              or (e.get("method") == "Log.entryAdded" and e["params"]["entry"].get("level") == "error")]
    dt.send("Target.closeTarget", {"targetId": target})
    return {"requests": requests, "errors": errors, **result}


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("no /usr/bin/chromium (Debian: apt-get install chromium)")
    profile = tempfile.mkdtemp(prefix="tracer-chromium-")
    dt = DevTools(profile)
    try:
        dt.send("Target.setDiscoverTargets", {"discover": False})
        yield dt
    finally:
        dt.close()
        shutil.rmtree(profile, ignore_errors=True)


def _assert_works_offline(browser, page: Path, min_chars: int = 60) -> dict:
    """Open ``page``: no remote request, no console error, every image loaded, no missing glyph among at least
    ``min_chars`` distinct characters drawn, within 30 s."""
    t0 = time.perf_counter()
    r = check_page(browser, page.as_uri())
    remote = [u for u in r["requests"] if not u.startswith(("file:", "data:"))]
    assert r["requests"] and not remote, (page.name, remote[:5])
    assert not r["errors"], (page.name, r["errors"][:3])
    assert not r["images"], (page.name, "images not loaded", r["images"])
    assert r["chars"] > min_chars and not r["missing"], (page.name, "missing glyphs", r["missing"], r["chars"])
    assert time.perf_counter() - t0 < 30
    return r


def test_every_html_output_works_offline_in_a_browser(run, browser):
    proj, _, _ = run
    folder = proj / "reports" / COHORT
    reports = sorted(folder.glob("report.*.html"))
    assert [p.name for p in reports] == ["report.en.html", "report.ky.html", "report.ru.html"]
    for page in reports:
        _assert_works_offline(browser, page)  # report.ky.html: Cyrillic with ң ө ү drawn


def test_the_pages_and_the_slides_work_offline_in_a_browser(run, browser):
    """The pages' index, a programme page (Kyrgyz) and the decks: reveal.js runs from the file system, inlined."""
    proj, _, _ = run
    folder = proj / "reports" / COHORT
    decks = sorted(folder.glob("slides.*.html"))
    assert [p.name for p in decks] == ["slides.en.html", "slides.ky.html", "slides.ru.html"]
    programme = sorted((folder / "pages" / "ky").glob("programme-*.html"))[0]
    for page in (folder / "pages" / "ky" / "index.html", programme, *decks):
        # a deck draws only its current slide (the title: about 60 distinct characters in English)
        r = _assert_works_offline(browser, page, 40 if page.name.startswith("slides.") else 60)
        files = [u for u in r["requests"] if not u.startswith("data:")]
        assert files == [page.as_uri()], (page.name, files)  # the file itself; scripts, styles, charts inlined

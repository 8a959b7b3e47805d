"""The HTML report: one self-contained file; it renders in headless Chromium without console
errors and shows the price table.

Chromium is driven over the DevTools protocol on a pipe (``--remote-debugging-pipe``): no
network, no driver download, no extra Python package. Every wait has a time limit. The browser
tests skip only when no Chromium is installed (CI: ``apt-get install -y chromium``), and fail
instead when ``ABATELINK_REQUIRE_CHROMIUM`` is set. ``ABATELINK_SCREENSHOTS=DIR`` keeps the
screenshot of the report in DIR.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import re
import select
import shutil
import subprocess
import time
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from test_export import ccs_run, two_market_runs

from abatelink.reports.html import write_report
from abatelink.run import write_run

from factory import one_market, solve, write_dataset

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
TIMEOUT_S = 20.0
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return two_market_runs(tmp_path_factory.mktemp("runs"))


@pytest.fixture(scope="module")
def report(runs: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "report.html"
    return write_report(runs["linked"], compare_dir=runs["autarky"], out=out)


class TableRows(HTMLParser):
    """The cell texts of each row of the table with a given id."""

    def __init__(self, table_id: str) -> None:
        super().__init__()
        self.table_id, self.depth, self.rows = table_id, 0, []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table" and (self.depth or dict(attrs).get("id") == self.table_id):
            self.depth += 1
        elif self.depth and tag == "tr":
            self.rows.append([])
        elif self.depth and tag in ("td", "th"):
            self.rows[-1].append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "table" and self.depth:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth and self.rows and self.rows[-1]:
            self.rows[-1][-1] += data.strip()


def table_rows(html: str, table_id: str) -> list[list[str]]:
    parser = TableRows(table_id)
    parser.feed(html)
    return parser.rows


# --------------------------------------------------------------------------- the file


def test_the_report_is_one_self_contained_file(report):
    html = report.read_text()
    assert sorted(p.name for p in report.parent.iterdir()) == ["report.html"]
    references = re.findall(r"""(?:src|href)\s*=\s*["']([^"']*)""", html)
    assert references and all(r.startswith("data:image/png;base64,") for r in references)
    for external in ("<script", "<link", "@import", "url(", "http://", "https://"):
        assert external not in html
    assert html.count("<img ") == 3  # MAC curves, allowance flows, costs (no projects)


def test_the_price_table_shows_prices_csv(runs, report):
    rows = table_rows(report.read_text(), "prices")
    body = {row[0]: row[-1] for row in rows if row and row[0] in ("MA", "MB")}
    assert body == {"MA": "4.00", "MB": "4.00"}  # linked price, by hand
    other = table_rows(report.read_text(), "prices-compare")
    assert {row[0]: row[-1] for row in other if row and row[0] in ("MA", "MB")} == {
        "MA": "5.00",
        "MB": "2.00",
    }


def test_the_gain_of_each_region_is_cost_apart_minus_cost_linked(report):
    rows = table_rows(report.read_text(), "gains")
    assert {row[0]: row[1] for row in rows if row and row[0] in ("A", "B")} == {
        "A": "1.00",  # 13 − 12
        "B": "1.00",  # 3 − 2
    }


def test_the_report_warns_that_milp_prices_are_conditional_on_the_build(tmp_path):
    path = write_report(ccs_run(tmp_path))
    assert path == tmp_path / "run" / "report.html"
    html = path.read_text()
    assert "prices conditional on the MILP build" in html
    assert table_rows(html, "credits")
    built = {row[0]: row[2] for row in table_rows(html, "projects") if row and row[0] == "ccs"}
    assert built == {"ccs": "1"}  # items built
    assert 'id="figure-credits"' in html


def test_a_run_without_a_solution_reports_its_status(tmp_path):
    data = one_market(tmp_path, "MA", "A", 10, 1, [2, 2], [1, 3])  # 9 Mt needed, 4 possible
    dataset = write_dataset(tmp_path / "data", periods=[2020], regions=["A"], **data)
    folder = write_run(solve(dataset, links="none"), tmp_path / "run")
    html = write_report(folder, out=tmp_path).read_text()
    assert "solver status is &#x27;infeasible&#x27;" in html
    assert 'id="prices"' not in html
    for extra in sorted(folder.glob("*.csv")):  # e.g. the diagnosis of what to relax
        assert f'id="table-{extra.stem}"' in html


# --------------------------------------------------------------------------- in Chromium


class Browser:
    """Headless Chromium driven over the DevTools protocol on a pipe (fds 3 and 4)."""

    def __init__(self, binary: str, profile: Path) -> None:
        to_child, self._to_browser = os.pipe()
        self._from_browser, from_child = os.pipe()
        high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (to_child, from_child)]
        for fd in (to_child, from_child):
            os.close(fd)
        args = [
            binary,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--remote-debugging-pipe",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--host-resolver-rules=MAP * ~NOTFOUND",  # offline: any web request fails
            f"--user-data-dir={profile}",
            "about:blank",
        ]
        self.process = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(3, 4),
            preexec_fn=lambda: (os.dup2(high[0], 3), os.dup2(high[1], 4)),
        )
        for fd in high:
            os.close(fd)
        self._buffer, self._next_id, self.events = b"", 0, []

    def call(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        """Send a command and wait for its answer (events that arrive meanwhile are kept)."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        answer = self._read_until(lambda m: m.get("id") == self._next_id)
        if "error" in answer:
            raise RuntimeError(f"{method}: {answer['error']}")
        return answer["result"]

    def wait_for(self, event: str, session: str) -> dict:
        return self._read_until(
            lambda m: m.get("method") == event and m.get("sessionId") == session
        )

    def _read_until(self, wanted) -> dict:
        deadline = time.monotonic() + TIMEOUT_S
        while True:
            while b"\0" in self._buffer:
                raw, self._buffer = self._buffer.split(b"\0", 1)
                message = json.loads(raw)
                if "method" in message:
                    self.events.append(message)
                if wanted(message):
                    return message
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._from_browser], [], [], left)[0]:
                raise TimeoutError(f"no answer from Chromium in {TIMEOUT_S} s")
            chunk = os.read(self._from_browser, 1 << 20)
            if not chunk:
                raise EOFError("Chromium closed the pipe")
            self._buffer += chunk

    def open(self, url: str, width: int = 1280, height: int = 2000) -> str:
        """Open `url` in a new page, wait for its load event; return the page's session id."""
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})
        session_id = session["sessionId"]
        for domain in ("Runtime.enable", "Log.enable", "Page.enable"):
            self.call(domain, session=session_id)
        metrics = {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}
        self.call("Emulation.setDeviceMetricsOverride", metrics, session_id)
        self.call("Page.navigate", {"url": url}, session_id)
        self.wait_for("Page.loadEventFired", session_id)
        return session_id

    def evaluate(self, session: str, expression: str) -> Any:
        params = {"expression": expression, "returnByValue": True, "awaitPromise": True}
        return self.call("Runtime.evaluate", params, session)["result"].get("value")

    def screenshot(self, session: str) -> bytes:
        size = self.call("Page.getLayoutMetrics", session=session)["cssContentSize"]
        clip = {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}
        params = {"format": "png", "clip": clip, "captureBeyondViewport": True}
        return base64.b64decode(self.call("Page.captureScreenshot", params, session)["data"])

    def console_problems(self, session: str) -> list[str]:
        """Console errors, uncaught exceptions and error log entries (e.g. failed loads)."""
        problems = []
        for event in (e for e in self.events if e.get("sessionId") == session):
            method, params = event["method"], event["params"]
            if method == "Runtime.consoleAPICalled" and params["type"] in ("error", "assert"):
                problems.append(" ".join(str(a.get("value")) for a in params["args"]))
            elif method == "Runtime.exceptionThrown":
                details = params["exceptionDetails"]
                problems.append(details.get("exception", {}).get("description", details["text"]))
            elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
                problems.append(params["entry"]["text"])
        return problems

    def close(self) -> None:
        try:
            self.call("Browser.close")
            self.process.wait(timeout=10)
        except (OSError, TimeoutError, EOFError, RuntimeError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait(timeout=10)
        finally:
            os.close(self._to_browser)
            os.close(self._from_browser)


def chromium_binary() -> str | None:
    for name in CHROMIUM_NAMES:
        if path := shutil.which(name):
            return path
    return None


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory):
    binary = chromium_binary()
    if binary is None:
        reason = "headless Chromium is not installed (Debian: apt-get install -y chromium)"
        if os.environ.get("ABATELINK_REQUIRE_CHROMIUM"):  # CI sets it: never skip there
            pytest.fail(reason)
        pytest.skip(reason)
    chromium = Browser(binary, tmp_path_factory.mktemp("chromium-profile"))
    try:
        yield chromium
    finally:
        chromium.close()


PAGE_FACTS = """(() => {
  const table = document.getElementById("prices");
  const box = table ? table.getBoundingClientRect() : null;
  return {
    priceRows: table ? Array.from(table.rows, r => Array.from(r.cells, c => c.innerText)) : [],
    priceTableVisible: !!box && box.width > 0 && box.height > 0,
    images: Array.from(document.images, i => i.complete && i.naturalWidth > 0),
  };
})()"""


def test_the_report_renders_in_chromium_without_console_errors(report, browser, tmp_path):
    page = browser.open(report.resolve().as_uri())
    facts = browser.evaluate(page, PAGE_FACTS)
    shot = browser.screenshot(page)
    (tmp_path / "report.png").write_bytes(shot)
    if folder := os.environ.get("ABATELINK_SCREENSHOTS"):  # e.g. to keep as a CI artifact
        shutil.copy(tmp_path / "report.png", Path(folder) / "report.png")
    assert browser.console_problems(page) == []
    assert facts["priceTableVisible"]
    prices = {row[0]: row[-1] for row in facts["priceRows"] if row and row[0] in ("MA", "MB")}
    assert prices == {"MA": "4.00", "MB": "4.00"}
    assert facts["images"] == [True, True, True]  # every figure decoded and drawn
    assert shot.startswith(PNG_MAGIC) and len(shot) > 20_000


def test_the_console_check_catches_errors_and_failed_loads(browser, tmp_path):
    """The check above would see a problem: a console error, an uncaught exception and a
    resource that does not load are all caught."""
    page = tmp_path / "broken.html"
    page.write_text(
        '<html><body><img src="missing.png"><script>console.error("boom");'
        "undefinedFunction();</script></body></html>"
    )
    problems = browser.console_problems(browser.open(page.as_uri()))
    assert any("boom" in p for p in problems)
    assert any("undefinedFunction" in p for p in problems)
    assert any("ERR_FILE_NOT_FOUND" in p for p in problems)

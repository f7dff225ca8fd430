"""Load every dashboard page in headless Chromium, save screenshots, check what they show.

Starts the Streamlit dashboard on a free local port against a serving copy (or uses --url),
drives Debian's ``chromium`` over the DevTools protocol (a small websocket client, no
Selenium), and for each page waits until the page has rendered (its ``data-page-ready`` marker
is there, Streamlit has stopped running the script and every chart has drawn), then saves
a full-page screenshot (PNG) and the DOM (HTML) to --out.

A page fails when it shows an error (an exception, an ``st.error``, a traceback), an empty
chart (the app's ``data-empty-chart`` marker, or a chart that drew nothing), does not finish
rendering within --timeout, or, on the overview, when a headline number differs from the same
number computed here from the serving copy's marts with SQL of our own.

Exit codes: 0 every page passed, 1 a page failed (one line per problem), 2 usage error.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import itertools
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import duckdb

# Only the number formatting is shared with the app; the values are computed independently.
from chatperf.formatting import fmt_money, fmt_rate, fmt_seconds
from chatperf.settings import DEFAULT_SCREENSHOTS, DEFAULT_SERVING_PATH, PROJECT_DIR

ROOT = PROJECT_DIR

PAGES = {  # name -> URL path (Streamlit's pages/ folder: file name without the number prefix)
    "overview": "",
    "support": "Support",
    "sales": "Sales",
    "community": "Community",
    "experiments": "Experiments",
}
STATUS_JS = """
(() => {
  const q = (s) => Array.from(document.querySelectorAll(s));
  const charts = q('.vega-embed');
  const drawn = charts.filter((c) => {
    const g = c.querySelector('canvas, svg');
    return g && g.getBoundingClientRect().width > 0 && g.getBoundingClientRect().height > 0;
  });
  const errors = q('[data-testid="stException"], [data-testid="stAlertContentError"]')
    .map((e) => e.innerText.trim().split('\\n')[0].slice(0, 200));
  if (document.body && document.body.innerText.includes('Traceback (most recent call last)'))
    errors.push('a Python traceback is shown');
  const kpis = {};
  q('[data-kpi]').forEach((e) => { kpis[e.getAttribute('data-kpi')] = e.innerText.trim(); });
  const main = document.querySelector('[data-testid="stMain"]') ||
    document.querySelector('section.main');
  const content = document.querySelector('[data-testid="stMainBlockContainer"]');
  return JSON.stringify({
    ready: q('[data-page-ready]').map((e) => e.getAttribute('data-page-ready')),
    running: !!document.querySelector('[data-testid="stStatusWidget"]') &&
      /running/i.test(document.querySelector('[data-testid="stStatusWidget"]').innerText),
    skeletons: q('[data-testid="stSkeleton"]').length,
    charts: charts.length,
    drawn: drawn.length,
    empty: q('[data-empty-chart]').map((e) => e.getAttribute('data-empty-chart')),
    errors: errors,
    kpis: kpis,
    notes: q('[data-note]').map((e) => e.getAttribute('data-note')),
    height: Math.max(content ? content.scrollHeight + 120 : 0, main ? main.scrollHeight : 0,
      document.body ? document.body.scrollHeight : 0),
  });
})()
"""


class CheckError(Exception):
    """A setup problem (no chromium, the app did not start); one line."""


# --------------------------------------------------------------------------------------
# the expected numbers, from the serving copy with our own SQL


def expected_overview(serving: Path) -> dict[str, str]:
    """Headline numbers of the overview at its default filters (whole range, all, all)."""
    con = duckdb.connect(str(serving), read_only=True)
    try:

        def one(sql: str, *params):
            return con.execute(sql, list(params)).fetchone()

        def var(name: str, default):
            row = one("select value_json from meta.project_vars where name = ?", name)
            return json.loads(row[0]) if row else default

        currency = var("reporting_currency", "USD")
        window = var("default_attribution_window_days", 7)
        model = var("default_attribution_model", "position_based")
        cost = var("cost_per_human_conversation", 0)
        lo, hi = one(
            "select min(period_start)::date, max(period_start)::date from marts.rpt_chat_kpis_daily"
        )
        (revenue,) = one(
            "select coalesce(sum(attributed_revenue), 0) from marts.rpt_revenue_attribution_daily "
            "where window_days = ? and attribution_model = ? and channel = 'all' "
            "and resolution_path = 'all' and segment_type = 'all' "
            "and conversion_date::date between ? and ?",
            window,
            model,
            lo,
            hi,
        )
        followed, conversations = one(
            "select sum(conversations_followed_by_revenue), sum(conversations) "
            "from marts.rpt_chat_conversion_rates_daily where window_days = ? "
            "and channel = 'all' and conversation_date::date between ? and ?",
            window,
            lo,
            hi,
        )
        (bot_resolved,) = one(
            "select sum(bot_resolved_conversations) from marts.rpt_chat_kpis_daily "
            "where channel = 'all' and segment_type = 'all' and period_start::date between ? and ?",
            lo,
            hi,
        )
        trend = con.execute(
            "select p50_first_human_response_seconds_7d, resolution_rate_7d, containment_rate_7d, "
            "escalation_rate_7d, reopen_rate_7d from marts.rpt_chat_kpi_trends "
            "where channel = 'all' and segment_type = 'all' and period_start::date = ?",
            [hi],
        ).fetchone()
        (messages,) = one(
            "select sum(messages) from marts.rpt_volume_by_channel_daily "
            "where report_date::date between ? and ?",
            lo,
            hi,
        )
        (total_conversations,) = one(
            "select coalesce(sum(conversations), 0) from marts.rpt_chat_kpis_daily "
            "where channel = 'all' and segment_type = 'all' and period_start::date between ? and ?",
            lo,
            hi,
        )
        # retention lift: pooled retention of chatting minus other members at the first check
        check_days = int((var("retention_check_days", [30]) or [30])[0])
        chat_kept, chatters, other_kept, others = one(
            "select sum(chatter_members_retained), sum(chatter_members), "
            "sum(other_members_retained), sum(other_members) "
            "from marts.rpt_member_retention where check_days = ?",
            check_days,
        )
    finally:
        con.close()
    lift = None if not chatters or not others else chat_kept / chatters - other_kept / others
    return {
        "revenue_influenced": fmt_money(revenue, currency),
        "retention_lift": fmt_rate(lift),
        "chat_assisted_conversion_rate": fmt_rate(followed / conversations),
        "support_cost_savings": fmt_money(bot_resolved * cost, currency),
        "p50_first_human_response_seconds_7d": fmt_seconds(trend[0]),
        "resolution_rate_7d": fmt_rate(trend[1]),
        "containment_rate_7d": fmt_rate(trend[2]),
        "escalation_rate_7d": fmt_rate(trend[3]),
        "reopen_rate_7d": fmt_rate(trend[4]),
        "messages": f"{messages:,.0f}",
        "conversations": f"{total_conversations:,.0f}",
    }


# --------------------------------------------------------------------------------------
# processes: the Streamlit app and Chromium


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def find_chromium(explicit: str | None = None) -> str | None:
    if explicit:
        return explicit if shutil.which(explicit) else None
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def wait_http(url: str, timeout: float, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise CheckError(f"the dashboard exited with code {proc.returncode} before serving")
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2) as resp:
            if resp.status == 200:
                return
        time.sleep(0.3)
    raise CheckError(f"{url} did not answer within {timeout:.0f}s")


@contextlib.contextmanager
def streamlit_app(serving: Path, log_path: Path) -> Iterator[str]:
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(ROOT / "scripts" / "dashboard" / "app.py"),
        "--server.headless=true",
        f"--server.port={port}",
        "--server.address=127.0.0.1",
        "--server.fileWatcherType=none",
        "--browser.gatherUsageStats=false",
    ]
    log = log_path.open("w")
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        env={**os.environ, "CHATPERF_SERVING_PATH": str(serving)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_http(f"{url}/_stcore/health", 60, proc)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


class DevTools:
    """A minimal Chrome DevTools Protocol client over one websocket (flattened sessions)."""

    def __init__(self, ws_url: str):
        from websockets.sync.client import connect

        self._stack = contextlib.ExitStack()
        self.ws = self._stack.enter_context(connect(ws_url, max_size=None, open_timeout=20))
        self.ids = itertools.count(1)
        self.session: str | None = None

    def call(self, method: str, timeout: float = 60, **params) -> dict:
        msg_id = next(self.ids)
        msg = {"id": msg_id, "method": method, "params": params}
        if self.session and not method.startswith("Target."):
            msg["sessionId"] = self.session
        self.ws.send(json.dumps(msg))
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise CheckError(f"DevTools {method} timed out")
            reply = json.loads(self.ws.recv(timeout=left))
            if reply.get("id") == msg_id:
                if "error" in reply:
                    raise CheckError(f"DevTools {method}: {reply['error'].get('message')}")
                return reply.get("result", {})

    def evaluate(self, expression: str):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result.get("result", {}).get("value")

    def close(self) -> None:
        self._stack.close()


@contextlib.contextmanager
def chromium(binary: str, width: int) -> Iterator[DevTools]:
    profile = Path(tempfile.mkdtemp(prefix="chatperf-chromium-"))
    cmd = [
        binary,
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--hide-scrollbars",
        "--remote-debugging-port=0",
        f"--user-data-dir={profile}",
        f"--window-size={width},1000",
        "about:blank",
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (port_file.is_file() and len(port_file.read_text().splitlines()) >= 2):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise CheckError(f"{binary} did not start its DevTools endpoint")
            time.sleep(0.2)
        port, path = port_file.read_text().splitlines()[:2]
        tools = DevTools(f"ws://127.0.0.1:{port}{path}")
        target = tools.call("Target.createTarget", url="about:blank")["targetId"]
        tools.session = tools.call("Target.attachToTarget", targetId=target, flatten=True)[
            "sessionId"
        ]
        tools.call("Page.enable")
        tools.call("Runtime.enable")
        try:
            yield tools
        finally:
            tools.close()
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(profile, ignore_errors=True)


# --------------------------------------------------------------------------------------
# the check


def wait_rendered(tools: DevTools, name: str, timeout: float) -> dict:
    """Poll until the page's marker is there, nothing runs and every chart has drawn twice."""
    deadline = time.monotonic() + timeout
    stable = 0
    status: dict = {}
    while time.monotonic() < deadline:
        raw = tools.evaluate(STATUS_JS)
        status = json.loads(raw) if raw else {}
        done = (
            name in status.get("ready", [])
            and not status.get("running")
            and not status.get("skeletons")
            and status.get("drawn") == status.get("charts")
        )
        stable = stable + 1 if done else 0
        if stable >= 3:  # three polls in a row: no late re-run
            return status
        time.sleep(0.5)
    status["timed_out"] = True
    return status


def check_page(
    tools: DevTools, base: str, name: str, out: Path, width: int, timeout: float, expected: dict
) -> list[str]:
    url = f"{base}/{PAGES[name]}"
    tools.call("Emulation.setDeviceMetricsOverride", width=width, height=1000,
               deviceScaleFactor=1, mobile=False)  # fmt: skip
    tools.call("Page.navigate", url=url)
    status = wait_rendered(tools, name, timeout)
    problems = []
    if status.get("timed_out"):
        problems.append(
            f"did not finish rendering in {timeout:.0f}s (marker {status.get('ready')}, "
            f"{status.get('drawn')}/{status.get('charts')} charts drawn)"
        )
    # a tall viewport so the whole page is on the screenshot, then let the charts redraw
    height = min(int(status.get("height") or 1000) + 40, 12000)
    tools.call("Emulation.setDeviceMetricsOverride", width=width, height=height,
               deviceScaleFactor=1, mobile=False)  # fmt: skip
    time.sleep(1.0)
    final = wait_rendered(tools, name, 20)
    if not final.get("timed_out"):
        status = final
    shot = tools.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)
    (out / f"{name}.png").write_bytes(base64.b64decode(shot["data"]))
    dom = tools.evaluate("document.documentElement.outerHTML") or ""
    (out / f"{name}.html").write_text(dom)
    problems += [f"shows an error: {e}" for e in status.get("errors", [])]
    problems += [f"empty chart: {e}" for e in status.get("empty", [])]
    if status.get("charts", 0) and status.get("drawn") != status.get("charts"):
        problems.append(f"{status['charts'] - status['drawn']} chart(s) drew nothing")
    if name == "overview" and not status.get("charts"):
        problems.append("no chart rendered")
    shown = status.get("kpis", {})
    for key, want in expected.items():
        got = shown.get(key)
        if got != want:
            problems.append(f"{key} shows {got!r}, the marts say {want!r}")
    status["problems"] = problems
    (out / f"{name}.json").write_text(json.dumps(status, indent=2) + "\n")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n".join(__doc__.splitlines()[2:]),
    )
    parser.add_argument(
        "--serving",
        default=os.environ.get("CHATPERF_SERVING_PATH") or str(ROOT / DEFAULT_SERVING_PATH),
        help="serving copy the dashboard reads and the numbers are checked against",
    )
    parser.add_argument("--url", help="an already running dashboard (default: start one)")
    parser.add_argument(
        "--out",
        default=str(ROOT / DEFAULT_SCREENSHOTS),
        help="folder for the screenshots, DOM dumps and per-page status (default: "
        "artifacts/screenshots, git-ignored)",
    )
    parser.add_argument("--pages", nargs="+", choices=list(PAGES), default=list(PAGES))
    parser.add_argument("--chromium", help="browser binary (default: chromium on the PATH)")
    parser.add_argument("--timeout", type=float, default=90, help="seconds per page to render")
    parser.add_argument("--width", type=int, default=1500, help="viewport width in pixels")
    args = parser.parse_args(argv)

    serving = Path(args.serving)
    if not serving.is_file():
        print(f"error: no serving copy at {serving}; run the pipeline first", file=sys.stderr)
        return 2
    binary = find_chromium(args.chromium)
    if binary is None:
        print("error: chromium not found (apt-get install chromium)", file=sys.stderr)
        return 2
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    expected = expected_overview(serving)
    failures = 0
    try:
        with contextlib.ExitStack() as stack:
            base = args.url or stack.enter_context(streamlit_app(serving, out / "streamlit.log"))
            tools = stack.enter_context(chromium(binary, args.width))
            for name in args.pages:
                started = time.monotonic()
                problems = check_page(
                    tools,
                    base.rstrip("/"),
                    name,
                    out,
                    args.width,
                    args.timeout,
                    expected if name == "overview" else {},
                )
                took = time.monotonic() - started
                if problems:
                    failures += 1
                    for problem in problems:
                        print(f"FAIL {name}: {problem}")
                else:
                    print(f"ok   {name} in {took:.1f}s -> {out / (name + '.png')}")
    except CheckError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

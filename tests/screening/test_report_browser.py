"""The HTML report renders in a real browser (headless Chromium) with no console errors."""

import os
import shutil
import subprocess

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--enable-logging=stderr", "--v=0"]


def _need_chromium():
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("CI must have Debian's chromium (.ci/run installs it)")
        pytest.skip("chromium is not installed (apt-get install chromium); CI installs it")


def _run(args, tmp_path):
    profile = tmp_path / "profile"
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=120)


def _console_errors(stderr):
    # The report has no scripts, so any console message at all is a failure (Chromium
    # logs console.error and uncaught exceptions alike as ":CONSOLE" lines).
    return [ln for ln in stderr.splitlines() if ":CONSOLE" in ln]


def test_report_renders_without_console_errors(result, evaluation, tmp_path):
    _need_chromium()
    report = tmp_path / "report.html"
    result.to_html(report, evaluation=evaluation)
    dom = _run(["--dump-dom", report.as_uri()], tmp_path)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert "Disproportionality audit" in dom.stdout
    assert "Intended use" in dom.stdout
    assert _console_errors(dom.stderr) == []
    shot = tmp_path / "report.png"
    res = _run([f"--screenshot={shot}", "--window-size=1200,2400", report.as_uri()], tmp_path)
    assert res.returncode == 0, res.stderr[-2000:]
    assert shot.exists() and shot.stat().st_size > 10_000
    assert _console_errors(res.stderr) == []


def test_hostile_text_is_escaped_in_the_browser(result, tmp_path):
    _need_chromium()
    import dataclasses

    scores = result.scores.copy()
    scores.loc[scores.index[0], "school"] = "<script>console.error('pwned')</script>"
    scores.loc[scores.index[0], "flagged"] = True
    hostile = dataclasses.replace(result, scores=scores)
    report = tmp_path / "hostile.html"
    hostile.to_html(report)
    assert "<script>console.error" not in report.read_text()
    res = _run(["--dump-dom", report.as_uri()], tmp_path)
    assert "pwned" not in " ".join(_console_errors(res.stderr))

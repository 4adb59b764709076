"""The HTML report renders in a real browser (headless Chromium) with no console errors."""

import os
import re
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


#: A probe added to a copy of the report (the report itself has no scripts): after load it
#: writes the page height and the nav's links and the sections' anchors into the DOM.
_PROBE = ("<script>window.addEventListener('load',function(){var b=document.body;"
          "b.setAttribute('data-height',String(document.documentElement.scrollHeight));"
          "b.setAttribute('data-nav',Array.from(document.querySelectorAll('nav a'))"
          ".map(function(a){return a.getAttribute('href')}).join(' '));"
          "b.setAttribute('data-sections',Array.from(document.querySelectorAll('h2[id]'))"
          ".map(function(h){return '#'+h.id}).join(' '));"
          "b.setAttribute('data-targets',Array.from(document.querySelectorAll('nav a'))"
          ".map(function(a){var t=document.querySelector(a.getAttribute('href'));"
          "return t?String(Math.round(t.getBoundingClientRect().height)):'none'}).join(' '))"
          "});</script>")

#: The report's sections, in the order the issue asks for.
SECTIONS = ["#todo", "#why", "#fair", "#right", "#how"]


def _measure(report, tmp_path):
    probe = tmp_path / "probe.html"
    probe.write_text(report.read_text(encoding="utf-8").replace("</body>", _PROBE + "</body>"),
                     encoding="utf-8")
    dom = _run(["--window-size=1400,1000", "--dump-dom", probe.as_uri()], tmp_path)
    assert dom.returncode == 0, dom.stderr[-2000:]
    attrs = dict(re.findall(r'data-(height|nav|sections|targets)="([^"]*)"', dom.stdout))
    assert set(attrs) == {"height", "nav", "sections", "targets"}, dom.stdout[-500:]
    return dom, int(attrs["height"]), attrs


def test_report_in_a_browser(result, evaluation, tmp_path):
    """No console message, every section reachable from the top navigation, a page that
    ends (under 15,000 px at 1,400 px wide), and a screenshot kept as an artefact."""
    _need_chromium()
    report = tmp_path / "report.html"
    result.to_html(report, evaluation=evaluation)
    dom = _run(["--dump-dom", report.as_uri()], tmp_path)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert _console_errors(dom.stderr) == []
    for text in ("Is it fair", "Intended use", "Choosing the capacity", "From points to risk"):
        assert text in dom.stdout
    for raw in (">True<", ">False<", "precision_at_capacity", ">smd<", "ethnicity_major"):
        assert raw not in dom.stdout, raw
    probe, height, attrs = _measure(report, tmp_path)
    nav, sections = attrs["nav"].split(), attrs["sections"].split()
    assert nav == SECTIONS and sections == SECTIONS
    assert "none" not in attrs["targets"].split()
    assert height < 15_000, height
    shot = tmp_path / "report.png"
    res = _run([f"--screenshot={shot}", f"--window-size=1400,{height}", report.as_uri()],
               tmp_path)
    assert res.returncode == 0, res.stderr[-2000:]
    assert shot.exists() and shot.stat().st_size > 10_000
    assert _console_errors(res.stderr) == []
    print(f"report {height} px tall; screenshot {shot}")


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

"""The screening command: exit codes 0 (success), 2 (bad input), 1 (internal error)."""

import subprocess
import sys

import pandas as pd
import pytest

from screening import _cli


def test_validate_clean_folder_exits_0(la, tmp_path, capsys):
    la.write(tmp_path / "la")
    assert _cli.main(["validate", str(tmp_path / "la")]) == 0
    assert "no problems" in capsys.readouterr().out


def test_validate_bad_folder_exits_2_and_prints_problems(la, tmp_path, capsys):
    folder = tmp_path / "bad"
    la.write(folder)
    pupils = pd.read_csv(folder / "pupils.csv", dtype=str)
    pupils.loc[0, "sex"] = "Q"
    pupils.loc[1, "date_of_birth"] = "31/02/2014"
    pupils.to_csv(folder / "pupils.csv", index=False)
    assert _cli.main(["validate", str(folder)]) == 2
    out = capsys.readouterr().out
    assert "sex" in out and "date_of_birth" in out


def test_missing_folder_exits_2(tmp_path):
    assert _cli.main(["validate", str(tmp_path / "nope")]) == 2


def test_internal_error_exits_1(monkeypatch, tmp_path, capsys):
    def boom(args):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(_cli, "_cmd_validate", boom)
    parser_main = _cli.main
    # rebuild the parser so it picks the patched function up
    assert parser_main(["validate", str(tmp_path)]) == 1
    assert "internal error" in capsys.readouterr().out


def test_fit_then_score(la, tmp_path):
    folder = tmp_path / "la"
    la.write(folder)
    d = [str(x.date()) for x in la.census_dates]
    model = tmp_path / "m.skops"
    assert _cli.main(["fit", str(folder), "--as-of", d[-4], d[-3], "--model", str(model)]) == 0
    out = tmp_path / "out"
    assert _cli.main(["score", str(folder), "--model", str(model), "--as-of", d[-1],
                      "--out", str(out)]) == 0
    for name in ("scores.csv", "audit.csv", "report.html", "result.json"):
        assert (out / name).exists()


def test_fit_on_incomplete_census_exits_2(la, tmp_path):
    folder = tmp_path / "la"
    la.write(folder)
    d = str(la.census_dates[-1].date())
    assert _cli.main(["fit", str(folder), "--as-of", d, "--model",
                      str(tmp_path / "m.skops")]) == 2


def test_audit_command(tmp_path, capsys):
    import numpy as np

    rng = np.random.default_rng(0)
    n = 2000
    frame = pd.DataFrame({
        "sex": rng.choice(["M", "F"], n), "fsm": rng.choice([0, 1], n),
        "risk": rng.random(n), "outcome": rng.random(n) < 0.1,
    })
    frame.to_csv(tmp_path / "s.csv", index=False)
    code = _cli.main(["audit", str(tmp_path / "s.csv"), "--group", "sex", "--group", "fsm",
                      "--score", "risk", "--capacity", "0.1", "--outcome", "outcome",
                      "--n-boot", "50", "--out", str(tmp_path / "a")])
    assert code == 0
    assert (tmp_path / "a" / "audit.csv").exists()
    assert _cli.main(["audit", str(tmp_path / "s.csv"), "--group", "nope", "--flag", "risk",
                      "--out", str(tmp_path / "a")]) == 2


@pytest.mark.parametrize("argv", [["--help"], ["demo", "--help"]])
def test_python_dash_m_runs_the_same_command(argv):
    res = subprocess.run([sys.executable, "-m", "screening", *argv], capture_output=True,
                         text=True, timeout=120)
    assert res.returncode == 0
    assert "screening" in res.stdout


def test_bad_arguments_exit_2():
    assert _cli.main(["score"]) == 2


def test_console_findings_use_the_reports_plain_words():
    # the command line prints the same sentences as the report: group names, not codes
    import numpy as np
    import pandas as pd

    from screening import audits
    from screening._cli import _plain_findings

    rng = np.random.default_rng(0)
    fsm = rng.random(4000) < 0.25
    df = pd.DataFrame({"fsm": fsm, "flagged": rng.random(4000) < np.where(fsm, 0.15, 0.03)})
    rep = audits.audit(df, groups=["fsm"], flag="flagged", n_boot=0)
    lines = _plain_findings(rep)
    assert lines and len(lines) == int(rep.comparisons["finding"].sum())
    assert "free school meals" in lines[0]
    assert not any("fsm =" in line or "True" in line for line in lines), lines
    assert _plain_findings(rep, measure="amplification") == []

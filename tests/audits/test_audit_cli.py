"""The `screening audit` command's options for the new audit statistics."""

import numpy as np
import pandas as pd

from screening import _cli


def test_audit_command_new_options(tmp_path, capsys):
    rng = np.random.default_rng(0)
    n = 3000

    def cohort():
        return pd.DataFrame({"race": rng.choice(["A", "B"], n), "sex": rng.choice(["F", "M"], n),
                             "school": rng.choice(list("PQR"), n), "score": rng.random(n),
                             "y": rng.random(n) < 0.15})

    cohort().to_csv(tmp_path / "now.csv", index=False)
    cohort().to_csv(tmp_path / "recent.csv", index=False)
    code = _cli.main(["audit", str(tmp_path / "now.csv"), "--group", "race", "--score", "score",
                      "--capacity", "0.1", "--outcome", "y", "--n-boot", "50",
                      "--reference", "cohort", "--unit", "defendants", "--band", "0.9", "1.1",
                      "--control", "school", "--test", "fpr_ratio", "--adjust", "sex",
                      "--recent", str(tmp_path / "recent.csv"), "--recent-outcome", "y",
                      "--recent-label", "last year", "--symbols", "--out", str(tmp_path / "a")])
    assert code == 0
    csv = pd.read_csv(tmp_path / "a" / "audit.csv", dtype=str)
    assert "z" in set(csv["flag_ratio_low"]) or csv["flag_ratio_low"].notna().all()
    assert (tmp_path / "a" / "adjusted.csv").exists()
    assert "last year" in (tmp_path / "a" / "audit.html").read_text(encoding="utf-8")
    capsys.readouterr()
    assert _cli.main(["audit", str(tmp_path / "now.csv"), "--group", "race", "--flag", "y",
                      "--recent", str(tmp_path / "recent.csv"), "--out",
                      str(tmp_path / "b")]) == 2
    said = capsys.readouterr()
    assert "--recent-outcome" in said.err + said.out
    assert _cli.main(["audit", str(tmp_path / "now.csv"), "--group", "race", "--flag", "y",
                      "--band", "1.2", "0.9", "--out", str(tmp_path / "b")]) == 2

"""screening.pseudonymise and `screening export`: no UPN leaves, the same key joins."""

from __future__ import annotations

import pandas as pd
import pytest

import screening
from screening import features
from screening._cli import main
from screening._pseudonymise import MIN_KEY_BYTES, pseudonym

KEY = b"a secret only the LA keeps"


@pytest.fixture(scope="module")
def small():
    la = screening.datasets.make_local_authority(n_pupils=600, seed=5, social_care=True)
    raw = {k: v for k, v in la.records.raw.items() if v is not None}
    raw["pupils"] = raw["pupils"].assign(name="Pupil " + raw["pupils"]["upn"].astype(str))
    return la, screening.Records(**raw, extract_date=la.extract_date)


def test_every_table_is_pseudonymised_consistently(small):
    la, rec = small
    pseudo = screening.pseudonymise(rec, key=KEY)
    upns = set(rec.pupils["upn"])
    for name, table in pseudo.tables().items():
        if "upn" in table and len(table):
            assert not set(table["upn"]) & upns, name
            assert set(table["upn"]) <= set(pseudo.pupils["upn"]), name
            assert table["upn"].str.fullmatch("[0-9a-f]{24}").all(), name
    assert "name" not in pseudo.pupils
    assert (pseudo.pupils["date_of_birth"].dt.day == 1).all()
    again = screening.pseudonymise(rec, key=KEY.decode())
    assert again.pupils["upn"].tolist() == pseudo.pupils["upn"].tolist()
    other = screening.pseudonymise(rec, key=KEY + b"!")
    assert not set(other.pupils["upn"]) & set(pseudo.pupils["upn"])
    assert pseudo.enrolments["school"].tolist() == rec.enrolments["school"].tolist()
    hashed = screening.pseudonymise(rec, key=KEY, hash_schools=True)
    assert not set(hashed.enrolments["school"]) & set(rec.enrolments["school"])


def test_features_are_unchanged_pupil_for_pupil(small):
    la, rec = small
    t = la.census_dates[-2]
    kinds = ("child_in_need",)
    X = features.build(rec, as_of=t, episode_kinds=kinds)
    Y = features.build(screening.pseudonymise(rec, key=KEY), as_of=t, episode_kinds=kinds)
    X.index = pd.Index(pseudonym(X.index.to_series(), KEY).to_numpy(), name="upn")
    pd.testing.assert_frame_equal(X.sort_index(), Y, check_index_type=False)


@pytest.mark.parametrize("key", [b"short", "", 42])
def test_a_weak_key_is_refused_with_a_fix(small, key):
    with pytest.raises(ValueError, match=f"at least {MIN_KEY_BYTES} bytes.*secrets"):
        screening.pseudonymise(small[1], key=key)


def _export(tmp_path, la, keyfile, name, *extra):
    folder = tmp_path / "records"
    if not folder.exists():
        la.write(folder)
    out = tmp_path / name
    assert main(["export", str(folder), "--key-file", str(keyfile), "--out", str(out),
                 *extra]) == 0
    return out


def test_export_writes_no_upn_and_two_exports_join(tmp_path, la, fitted):
    keyfile = tmp_path / "la.key"
    keyfile.write_text(KEY.decode() + "\n")
    model = tmp_path / "model.skops"
    screening.save(fitted, model)
    t = str(la.census_dates[-1].date())
    a = _export(tmp_path, la, keyfile, "a", "--as-of", t, "--model", str(model))
    b = _export(tmp_path, la, keyfile, "b", "--as-of", str(la.census_dates[-2].date()))
    upns = set(la.records.pupils["upn"])
    for path in a.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            assert KEY.decode() not in text, path
            assert not any(u in text for u in list(upns)[:300]), path
    scores = pd.read_csv(a / "scores.csv", dtype={"upn": str})
    feats = pd.read_csv(b / "features.csv", dtype={"upn": str})
    pupils = pd.read_csv(b / "records" / "pupils.csv", dtype={"upn": str})
    assert len(scores) == len(la.true_risk(la.census_dates[-1]))
    assert set(scores["upn"]) <= set(pupils["upn"])
    assert scores["upn"].isin(feats["upn"]).mean() > 0.5  # the same pupils a year apart
    assert {"audit.csv", "README.txt", "manifest.json"} <= {p.name for p in a.iterdir()}


def test_export_refuses_a_short_key_file(tmp_path, la, capsys):
    keyfile = tmp_path / "k"
    keyfile.write_bytes(b"tiny")
    la.write(tmp_path / "records")
    assert main(["export", str(tmp_path / "records"), "--key-file", str(keyfile),
                 "--out", str(tmp_path / "o")]) == 2
    assert "at least 16 bytes" in capsys.readouterr().out
    assert not (tmp_path / "o").exists()

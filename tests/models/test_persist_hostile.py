"""Hostile and damaged model files: refused on load with an error naming the file.

Each test builds the file a hostile or careless hand would: a boosted model whose trees
point outside their arrays (loaded, then crashed the process when it predicted), a
scorecard with NaN parameters, zip bombs, truncated, empty and non-zip files, a folder.
"""

import io
import json
import re
import struct
import tracemalloc
import zipfile

import numpy as np
import pytest
from screening.models import (
    MAX_MODEL_BYTES,
    BoostedRiskModel,
    ModelFileError,
    ModelVersionError,
    UntrustedTypesError,
    load_model,
    save_model,
)
from screening.models._persist import (
    _BAD_ARCHIVE,
    _BAD_PARAMETER,
    _CORRUPT,
    _IS_FOLDER,
    _NOT_A_ZIP,
    _TOO_BIG,
    _UNSAFE_TREE,
)
from sklearn.ensemble._hist_gradient_boosting.common import PREDICTOR_RECORD_DTYPE


def _stem(template, *_):
    """A regex for the longest fixed part of a message constant (between placeholders)."""
    parts = re.split(r"\{[^}]*\}", template)
    return re.escape(max(parts, key=len).strip()[:60])


@pytest.fixture(scope="module")
def boosted_file(sim_train, tmp_path_factory):
    X, y, _ = sim_train
    m = BoostedRiskModel(max_iter=8, cv=2, random_state=0).fit(X, y)
    return save_model(m, tmp_path_factory.mktemp("boosted") / "b.skops"), X


@pytest.fixture(scope="module")
def card_file(fitted, tmp_path_factory):
    return save_model(fitted, tmp_path_factory.mktemp("card") / "card.skops")


def _members(path):
    with zipfile.ZipFile(path) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


def _write(path, members, compression=zipfile.ZIP_STORED):
    with zipfile.ZipFile(path, "w", compression=compression) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


def _arrays(members):
    return {n: np.load(io.BytesIO(d), allow_pickle=False) for n, d in members.items()
            if n.endswith(".npy")}


def _npy(arr):
    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=False)
    return buf.getvalue()


def _tamper_tree(path, out, change):
    """Rewrite the first tree's nodes with ``change(nodes)``."""
    members = _members(path)
    name = next(n for n, a in _arrays(members).items() if a.dtype == PREDICTOR_RECORD_DTYPE)
    nodes = np.load(io.BytesIO(members[name]), allow_pickle=False).copy()
    change(nodes)
    members[name] = _npy(nodes)
    return _write(out, members)


def _first_split(nodes):
    return int(np.flatnonzero(nodes["is_leaf"] == 0)[0])


def _first_leaf(nodes):
    return int(np.flatnonzero(nodes["is_leaf"])[0])


def _left_of_first_split(nodes):
    return nodes["left"][_first_split(nodes)]


@pytest.mark.parametrize("field,node,value", [
    pytest.param("left", _first_split, 1_000_000, id="child-outside-array"),
    pytest.param("right", _first_split, 0, id="cycle-to-root"),
    pytest.param("right", _first_split, _left_of_first_split, id="two-parents"),
    pytest.param("feature_idx", _first_split, 99, id="feature-out-of-range"),
    pytest.param("num_threshold", _first_split, np.nan, id="nan-threshold"),
    pytest.param("value", _first_leaf, np.inf, id="inf-leaf"),
    pytest.param("is_categorical", _first_split, 1, id="categorical-split-without-bitset"),
])
def test_tampered_tree_is_refused_before_it_can_crash_predict(boosted_file, tmp_path, field,
                                                             node, value):
    """Before: the file loaded, and predict_proba read outside the node array (segfault)."""
    path, X = boosted_file
    assert load_model(path).predict_proba(X).shape == (len(X), 2)  # the honest file loads

    def change(nodes):
        nodes[field][node(nodes)] = value(nodes) if callable(value) else value

    bad = _tamper_tree(path, tmp_path / "bad.skops", change)
    with pytest.raises(ModelFileError, match=_stem(_UNSAFE_TREE)) as err:
        load_model(bad)
    assert str(bad) in str(err.value) and err.value.path == bad


def test_genuine_trees_pass_the_structure_check(sim_train):
    from screening.models._boosted import booster_problem

    X, y, _ = sim_train
    m = BoostedRiskModel(max_iter=30, max_leaf_nodes=15, min_samples_leaf=5, cv=2,
                         random_state=0).fit(X, y)
    assert booster_problem(m.booster_) is None


@pytest.mark.parametrize("attr,value", [
    ("slope_", np.nan), ("proba_intercept_", np.inf), ("intercept_", -np.inf),
    ("slope_", -1.0),
])
def test_scorecard_with_non_finite_parameter_is_refused(fitted, tmp_path, attr, value):
    """Before: a NaN slope loaded and made every risk NaN ('not scored' for everyone)."""
    import copy

    card = copy.deepcopy(fitted)
    setattr(card, attr, value)
    path = save_model(card, tmp_path / "card.skops")
    with pytest.raises(ModelFileError, match=_stem(_BAD_PARAMETER, "{1}")) as err:
        load_model(path)
    assert attr in str(err.value) and str(path) in str(err.value)


@pytest.mark.parametrize("where", ["points", "cuts"])
def test_scorecard_with_nan_points_or_cuts_is_refused(fitted, tmp_path, where):
    import copy

    card = copy.deepcopy(fitted)
    if where == "points":
        card.band_points_[0] = card.band_points_[0].astype(float)
        card.band_points_[0][1] = np.nan
    else:
        spec = next(s for s in card.bands_ if s["kind"] == "numeric")
        spec["cuts"] = [np.nan] + list(spec["cuts"][1:])
    path = save_model(card, tmp_path / "card.skops")
    with pytest.raises(ModelFileError, match=_stem(_BAD_PARAMETER, "{1}")):
        load_model(path)


# ---------------------------------------------------------------- archives
def _bomb(path, base, size, *, lie=False):
    """``base``'s members plus a deflated member of ``size`` zero bytes referenced by
    nothing; with ``lie``, its headers declare 1,000 bytes."""
    members = _members(base)
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
        info = zipfile.ZipInfo("bomb.npy")
        info.compress_type = zipfile.ZIP_DEFLATED
        with z.open(info, "w") as f:
            chunk = bytes(2**20)
            for _ in range(size // 2**20):
                f.write(chunk)
    if lie:
        raw = bytearray(path.read_bytes())
        with zipfile.ZipFile(path) as z:
            offset = z.getinfo("bomb.npy").header_offset
        struct.pack_into("<I", raw, offset + 22, 1000)  # local header: uncompressed size
        central = raw.rfind(b"PK\x01\x02" + raw[offset + 4:offset + 6])
        while raw[central + 46:central + 54] != b"bomb.npy":
            central = raw.rfind(b"PK\x01\x02", 0, central)
        struct.pack_into("<I", raw, central + 24, 1000)  # central directory entry
        path.write_bytes(bytes(raw))
    return path


@pytest.fixture(scope="module")
def bombs(card_file, tmp_path_factory):
    folder = tmp_path_factory.mktemp("bombs")
    size = 4 * MAX_MODEL_BYTES  # 256 MiB of zeros in about 260 KB
    return {
        "honest": _bomb(folder / "honest.skops", card_file, size),
        "lying": _bomb(folder / "lying.skops", card_file, size, lie=True),
        "ratio": _bomb(folder / "ratio.skops", card_file, MAX_MODEL_BYTES // 4),
    }


@pytest.mark.parametrize("kind,message", [
    ("honest", _TOO_BIG), ("lying", _BAD_ARCHIVE), ("ratio", _BAD_ARCHIVE)])
def test_zip_bomb_is_refused_without_inflating_it(bombs, kind, message):
    """Before: skops inflated the whole member (hundreds of MB from a few hundred KB)."""
    path = bombs[kind]
    assert path.stat().st_size < 2**20
    tracemalloc.start()
    try:
        with pytest.raises(ModelFileError, match=_stem(message, "{1}")):
            load_model(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16 * 2**20, f"peak {peak / 2**20:.0f} MiB"


def test_file_larger_than_the_limit_is_refused_unread(card_file):
    with pytest.raises(ModelFileError, match=_stem(_TOO_BIG, "{1}")):
        load_model(card_file, max_bytes=1000)
    assert load_model(card_file, max_bytes=10 * 2**20) is not None


@pytest.mark.parametrize("make", [
    pytest.param(lambda p, base: p.write_bytes(b""), id="empty"),
    pytest.param(lambda p, base: p.write_text("upn,risk\nA,0.5\n"), id="text"),
    pytest.param(lambda p, base: p.write_bytes(base.read_bytes()[: base.stat().st_size // 2]),
                 id="truncated"),
    pytest.param(lambda p, base: p.write_bytes(b"PK\x03\x04" + bytes(200)), id="zip-magic-only"),
])
def test_not_a_zip_or_truncated_file_is_refused(card_file, tmp_path, make):
    """Before: BadZipFile escaped, naming no file."""
    path = tmp_path / "model.skops"
    make(path, card_file)
    with pytest.raises(ModelFileError, match=_stem(_NOT_A_ZIP, "{1}")) as err:
        load_model(path)
    assert str(path) in str(err.value)


def test_damaged_member_is_refused(card_file, tmp_path):
    raw = bytearray(card_file.read_bytes())
    with zipfile.ZipFile(card_file) as z:
        info = max(z.infolist(), key=lambda i: i.file_size)
    start = info.header_offset + 30 + len(info.filename) + 8
    raw[start:start + 16] = bytes(16)  # stored member: the CRC no longer matches
    path = tmp_path / "damaged.skops"
    path.write_bytes(bytes(raw))
    with pytest.raises(ModelFileError, match=_stem(_BAD_ARCHIVE, "{1}")):
        load_model(path)


@pytest.mark.parametrize("schema", [
    pytest.param("[" * 200_000 + "]" * 200_000, id="deep-nesting"),
    pytest.param("not json", id="not-json"),
    pytest.param(json.dumps({"__class__": 5, "__module__": [], "content": None}),
                 id="wrong-shape"),
    pytest.param(json.dumps([1, 2]), id="a-list"),
])
def test_malformed_schema_is_a_model_file_error(tmp_path, schema):
    """Before: RecursionError, JSONDecodeError, TypeError or KeyError escaped."""
    path = _write(tmp_path / "m.skops", {"schema.json": schema})
    with pytest.raises(ModelFileError, match=_stem(_CORRUPT, "{1}")) as err:
        load_model(path)
    assert str(path) in str(err.value)


def test_duplicate_members_are_refused(card_file, tmp_path):
    members = _members(card_file)
    path = tmp_path / "dup.skops"
    with pytest.warns(UserWarning, match="Duplicate name"):
        with zipfile.ZipFile(path, "w") as z:
            for name, data in members.items():
                z.writestr(name, data)
            z.writestr("schema.json", members["schema.json"])
    with pytest.raises(ModelFileError, match="appear twice"):
        load_model(path)


def test_too_many_members_are_refused_before_the_directory_is_read(card_file, monkeypatch):
    from screening.models import _persist

    monkeypatch.setattr(_persist, "MAX_MEMBERS", 5)  # the card file has about 20
    with pytest.raises(ModelFileError, match="members"):
        load_model(card_file)


def test_directory_of_many_empty_entries_is_refused(tmp_path):
    """Millions of empty entries in a small file would take gigabytes to list."""
    path = tmp_path / "many.skops"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("schema.json", "{}")
        for i in range(25_000):
            z.writestr(f"{i}", b"")
    assert path.stat().st_size < 4 * 2**20
    with pytest.raises(ModelFileError, match="25,001 members"):
        load_model(path)


def test_folder_and_missing_path(tmp_path):
    with pytest.raises(ModelFileError, match=_stem(_IS_FOLDER, "Give")):
        load_model(tmp_path)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_model(tmp_path / "nope.skops")


def test_every_refusal_is_a_value_error_and_a_model_file_error():
    assert issubclass(ModelFileError, ValueError)
    assert issubclass(UntrustedTypesError, ModelFileError)
    assert issubclass(ModelVersionError, ModelFileError)


def test_save_is_whole_or_absent(fitted, tmp_path, monkeypatch):
    """An interrupted save leaves the previous file intact and no partial file behind."""
    import skops.io as sio

    path = save_model(fitted, tmp_path / "card.skops")
    before = path.read_bytes()

    def interrupted(obj, file, **kw):
        file.write(b"PK\x03\x04 half a file")
        raise KeyboardInterrupt

    monkeypatch.setattr(sio, "dump", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save_model(fitted, path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["card.skops"]

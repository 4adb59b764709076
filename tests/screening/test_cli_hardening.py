"""The command's promises: exit 2 only for the user's input, 1 only for bugs, 130 on
Ctrl-C; outputs whole or absent with a manifest; help on every option; a fast start."""

import json
import signal
import subprocess
import sys
import textwrap

import pandas as pd
import pytest

import screening
from screening import _cli
from screening._outputs import _FOREIGN, _IS_FILE, MANIFEST, read_manifest, verify

SCORE_FILES = {"scores.csv", "audit.csv", "audit_breakdowns.csv", "drift.csv", "findings.txt",
               "result.json", "report.html", MANIFEST}


@pytest.fixture(scope="module")
def la_folder(la, tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli") / "la"
    la.write(folder)
    return folder


@pytest.fixture(scope="module")
def model_file(fitted, tmp_path_factory):
    return screening.save(fitted, tmp_path_factory.mktemp("model") / "model.skops")


@pytest.fixture
def quick_screen(monkeypatch, result):
    """Skip the scoring itself (tested elsewhere): screen returns the session's result."""
    monkeypatch.setattr(screening.Screener, "screen", lambda self, *a, **k: result)


def _score(la_folder, model, out, *extra, as_of=None):
    day = as_of or "2024-10-03"
    return _cli.main(["score", str(la_folder), "--model", str(model), "--as-of", day,
                      "--out", str(out), *extra])


def _hidden(folder):
    return [p.name for p in folder.iterdir() if p.name.startswith(".")]


# ------------------------------------------------------------------ exit status
@pytest.mark.parametrize("make", [
    pytest.param(lambda p: p.write_text("upn,risk\n"), id="text-file"),
    pytest.param(lambda p: p.write_bytes(b""), id="empty-file"),
    pytest.param(lambda p: p.mkdir(), id="folder"),
])
def test_bad_model_file_exits_2_naming_it(la_folder, tmp_path, capsys, make):
    """Before: a corrupt or non-zip model (BadZipFile) or a folder exited 1 'this is a bug'."""
    model = tmp_path / "model.skops"
    make(model)
    assert _score(la_folder, model, tmp_path / "out") == 2
    out = capsys.readouterr().out
    assert "error:" in out and str(model) in out and "internal error" not in out
    assert not (tmp_path / "out").exists()


def test_hostile_model_files_exit_2(la_folder, model_file, tmp_path, capsys):
    """A zip bomb and a tampered tree are refused as the user's input, never a crash."""
    import zipfile

    bomb = tmp_path / "bomb.skops"
    with zipfile.ZipFile(model_file) as src, zipfile.ZipFile(bomb, "w") as z:
        for info in src.infolist():
            z.writestr(info.filename, src.read(info))
        info = zipfile.ZipInfo("bomb.npy")
        info.compress_type = zipfile.ZIP_DEFLATED
        with z.open(info, "w") as f:
            for _ in range(80):
                f.write(bytes(2**20))
    assert bomb.stat().st_size < 2**20
    assert _score(la_folder, bomb, tmp_path / "out") == 2
    assert "more than the limit" in capsys.readouterr().out


def test_existing_file_as_out_exits_2(la_folder, model_file, tmp_path, capsys):
    """Before: exit 1 ('this is a bug') from FileExistsError."""
    out = tmp_path / "report.html"
    out.write_text("keep me")
    assert _score(la_folder, model_file, out) == 2
    assert _IS_FILE.split("{out}")[1].split(" Give")[0] in capsys.readouterr().out
    assert out.read_text() == "keep me"


@pytest.mark.parametrize("name", ["notes.docx", "model.skops"])
def test_folder_with_other_files_is_refused_not_replaced(la_folder, model_file, tmp_path,
                                                         capsys, name):
    """Someone's document, or the model file itself, is never deleted by a re-run."""
    out = tmp_path / "docs"
    out.mkdir()
    (out / name).write_text("someone's file")
    (out / "scores.csv").write_text("an earlier to_csv")
    assert _score(la_folder, model_file, out) == 2
    out_text = capsys.readouterr().out
    assert name in out_text and _FOREIGN.split("{out}")[1][:30] in out_text
    assert (out / name).read_text() == "someone's file"


def test_folder_written_by_to_csv_is_replaced(la_folder, model_file, tmp_path, result,
                                              quick_screen):
    out = tmp_path / "results"
    result.to_csv(out)
    assert _score(la_folder, model_file, out) == 0
    assert {p.name for p in out.iterdir()} == SCORE_FILES and verify(out) == []


@pytest.mark.parametrize("capacity", ["inf", "2.5", "-1", "0", "nan", "five"])
def test_bad_capacity_exits_2_before_any_work(la_folder, model_file, tmp_path, capsys,
                                              capacity):
    """Before: --capacity inf exited 1; --capacity 2.5 silently flagged 2 pupils."""
    assert _score(la_folder, model_file, tmp_path / "out", "--capacity", capacity) == 2
    err = capsys.readouterr().err
    assert "--capacity" in err and "Traceback" not in err


def test_internal_value_error_is_a_bug_not_bad_input(la_folder, model_file, tmp_path,
                                                     monkeypatch, capsys):
    """Before: any ValueError was reported as the user's bad input (exit 2)."""
    def slip(self, *args, **kwargs):
        raise ValueError("an internal slip")

    monkeypatch.setattr(screening.Screener, "screen", slip)
    assert _score(la_folder, model_file, tmp_path / "out") == 1
    captured = capsys.readouterr()
    assert "internal error" in captured.out and "an internal slip" in captured.err


def test_census_long_after_the_records_end_exits_2_then_opt_in(la, la_folder, model_file,
                                                               tmp_path, capsys):
    """Before: a census years after the records end scored everyone as 'no attendance
    history' and reported findings, with only a drift warning."""
    late = "03/10/2030"
    assert _score(la_folder, model_file, tmp_path / "out", as_of=late) == 2
    out = capsys.readouterr().out
    assert "2025-03-31" in out and "--allow-after-data-end" in out
    assert not (tmp_path / "out").exists()

    assert _score(la_folder, model_file, tmp_path / "out", "--allow-after-data-end",
                  as_of=late) == 0
    captured = capsys.readouterr()
    assert "after the records end" in captured.out
    assert "warning (DataEndWarning):" in captured.err
    doc = json.loads((tmp_path / "out" / "result.json").read_text())
    assert doc["summary"]["after_data_end"] is True and doc["data_end"] == "2025-03-31"
    assert "This census is after the records end" in (
        tmp_path / "out" / "report.html").read_text()


# ------------------------------------------------------------------ Ctrl-C
def test_ctrl_c_while_reading_exits_130(la_folder, tmp_path, monkeypatch, capsys):
    def reading(folder):
        raise KeyboardInterrupt

    monkeypatch.setattr(screening.features, "load_records", reading)
    assert _cli.main(["validate", str(la_folder)]) == 130
    out = capsys.readouterr().out
    assert out.strip() == "interrupted"


def test_ctrl_c_swallowed_by_a_reader_is_still_interrupted(la_folder, monkeypatch, capsys):
    """Before: Ctrl-C while reading CSVs was reported as 'file cannot be read' (exit 2)."""
    from screening.features import InputError

    def reading(folder):
        try:
            signal.raise_signal(signal.SIGINT)  # the real signal, through the handler
        except KeyboardInterrupt as exc:
            raise InputError(pd.DataFrame([{
                "table": "pupils", "row": None, "column": None, "value": "pupils.csv",
                "problem": f"file cannot be read ({exc!r})"}])) from None

    monkeypatch.setattr(screening.features, "load_records", reading)
    assert _cli.main(["validate", str(la_folder)]) == 130
    out = capsys.readouterr().out
    assert "interrupted" in out and "cannot be read" not in out


def test_real_sigint_gives_130_and_a_plain_message(la_folder, tmp_path):
    script = textwrap.dedent(f"""
        import sys, time
        import screening.features
        from screening import _cli

        def slow(folder):
            print("READING", flush=True)
            time.sleep(60)

        screening.features.load_records = slow
        sys.exit(_cli.main(["validate", {str(la_folder)!r}]))
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "READING"
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 130
    assert out.strip() == "interrupted" and "Traceback" not in err


# ------------------------------------------------------------------ whole or absent
def test_outputs_have_a_manifest_with_checksums(la_folder, model_file, tmp_path,
                                                quick_screen):
    out = tmp_path / "out"
    assert _score(la_folder, model_file, out) == 0
    assert {p.name for p in out.iterdir()} == SCORE_FILES
    manifest = read_manifest(out)
    assert manifest["census"] == "2024-10-03"
    assert manifest["command"][:2] == ["screening", "score"]
    assert manifest["library_version"] == screening.__version__
    assert {f["name"] for f in manifest["files"]} == SCORE_FILES - {MANIFEST}
    assert verify(out) == []
    (out / "scores.csv").write_text("tampered")
    assert verify(out) == ["scores.csv"]
    assert _hidden(tmp_path) == []


def test_interrupted_run_leaves_no_partial_outputs(la_folder, model_file, tmp_path,
                                                   monkeypatch, quick_screen, capsys):
    """Before: scores.csv, audit.csv ... were left in --out without the report."""
    def interrupted(self, path=None, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(screening.ScreeningResult, "to_html", interrupted)
    out = tmp_path / "out"
    assert _score(la_folder, model_file, out) == 130
    assert "interrupted" in capsys.readouterr().out
    assert not out.exists() and _hidden(tmp_path) == []


def test_rerun_replaces_the_whole_set_and_an_interrupted_one_changes_nothing(
        la_folder, model_file, tmp_path, monkeypatch, quick_screen, result):
    """Before: a re-run into the same folder left a new scores.csv beside the previous
    census's report.html."""
    out = tmp_path / "out"
    assert _score(la_folder, model_file, out) == 0
    first = read_manifest(out)
    (out / "findings.txt").unlink()  # a previous run's file the next run must not keep

    import dataclasses

    later = dataclasses.replace(result, as_of=pd.Timestamp("2024-11-07"))
    monkeypatch.setattr(screening.Screener, "screen", lambda self, *a, **k: later)
    original = screening.ScreeningResult.to_html

    def interrupted(self, path=None, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(screening.ScreeningResult, "to_html", interrupted)
    assert _score(la_folder, model_file, out, as_of="2024-11-07") == 130
    assert read_manifest(out) == first  # the previous set, untouched

    monkeypatch.setattr(screening.ScreeningResult, "to_html", original)
    assert _score(la_folder, model_file, out, as_of="2024-11-07") == 0
    assert read_manifest(out)["census"] == "2024-11-07"
    assert {p.name for p in out.iterdir()} == SCORE_FILES and verify(out) == []
    assert "2024-11-07" in (out / "report.html").read_text()
    assert _hidden(tmp_path) == []


def test_manifest_of_the_audit_command(tmp_path):
    frame = pd.DataFrame({"sex": ["M", "F"] * 100, "flag": [0, 1, 0, 0] * 50})
    frame.to_csv(tmp_path / "f.csv", index=False)
    out = tmp_path / "a"
    assert _cli.main(["audit", str(tmp_path / "f.csv"), "--group", "sex", "--flag", "flag",
                      "--n-boot", "20", "--out", str(out)]) == 0
    assert verify(out) == [] and read_manifest(out)["census"] is None


@pytest.mark.parametrize("content,message", [
    ("sex,flag\nM,1\nF,\n", "empty value"),
    ("sex,flag\nM,1\nF,Y\n", "must hold only 1/0"),
    ("", "cannot be read"),
    (b"sex,flag\n\xff\xfe,1\n", "cannot be read"),
])
def test_bad_audit_csv_exits_2(tmp_path, capsys, content, message):
    path = tmp_path / "f.csv"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    assert _cli.main(["audit", str(path), "--group", "sex", "--flag", "flag", "--out",
                      str(tmp_path / "a")]) == 2
    assert message in capsys.readouterr().out


# ------------------------------------------------------------------ warnings, help, start
def test_warnings_print_as_one_plain_line(monkeypatch, tmp_path, capsys):
    import warnings

    def noisy(args):
        warnings.warn("first line\nsecond line", UserWarning)
        warnings.warn("drifted", screening.DriftWarning)
        return 0

    monkeypatch.setattr(_cli, "_cmd_validate", noisy)  # main builds its parser afresh
    assert _cli.main(["validate", str(tmp_path)]) == 0
    err = capsys.readouterr().err.splitlines()
    assert err == ["warning: first line second line", "warning (DriftWarning): drifted"]


def _commands():
    return _cli.build_parser()._subparsers._group_actions[0].choices


@pytest.mark.parametrize("name", ["demo", "validate", "fit", "score", "audit", "export"])
def test_help_documents_every_option(name, capsys):
    """Before: --capacity CAPACITY, --as-of AS_OF ... had no meaning, unit or default."""
    command = _commands()[name]
    assert _cli.main([name, "--help"]) == 0
    out = capsys.readouterr().out
    text, squeezed = " ".join(out.split()), "".join(out.split())
    assert "Example" in text
    for action in command._actions:
        if action.dest == "help":
            continue
        assert action.help and len(action.help) > 40, action.dest
        shown = "".join((action.help % {"default": action.default}).split())
        assert shown in squeezed, action.dest
        if action.option_strings:
            assert "Default" in action.help or "Required" in action.help, action.dest
            assert "e.g." in action.help, action.dest
    if any("--capacity" in a.option_strings for a in command._actions):
        assert "0.05 means 5%" in text


def test_main_help_and_version(capsys):
    assert _cli.main(["--help"]) == 0
    text = capsys.readouterr().out
    assert "130 interrupted" in " ".join(text.split())
    assert _cli.main(["--version"]) == 0
    assert screening.__version__ in capsys.readouterr().out


def test_importing_the_cli_imports_no_heavy_library():
    """Before: `screening --help` imported scikit-learn, skops and pandas (3 s)."""
    code = ("import sys, screening._cli, screening; "
            "heavy = [m for m in ('sklearn', 'pandas', 'skops', 'matplotlib', 'scipy', "
            "'numpy') if m in sys.modules]; print(heavy)")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "[]"


def test_help_runs_without_importing_scikit_learn():
    code = ("import sys; from screening import _cli\n"
            "try:\n    _cli.main(['score', '--help'])\nexcept SystemExit:\n    pass\n"
            "print('sklearn' in sys.modules, 'pandas' in sys.modules)")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert res.stdout.strip().splitlines()[-1] == "False False"


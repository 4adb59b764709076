"""The README's two commands are the ones CI and the Makefile run."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _readme_commands():
    text = (ROOT / "README.md").read_text()
    block = re.search(r"```bash\n(.*?)```", text, re.S).group(1)
    return [line.split("#")[0].strip() for line in block.splitlines() if line.strip()]


def test_readme_opens_with_demo_and_test_commands():
    assert _readme_commands() == ["make demo", "make test"]


def test_ci_runs_exactly_the_readme_test_command():
    script = (ROOT / ".ci" / "run").read_text().splitlines()
    runs = [ln.strip() for ln in script if ln.strip() and not ln.strip().startswith("#")]
    assert runs[-1] == _readme_commands()[1]


def test_makefile_targets_set_up_their_own_environment():
    make = (ROOT / "Makefile").read_text()
    for target in ("demo", "test"):
        assert re.search(rf"^{target}: \$\(STAMP\)", make, re.M)
    assert "-m venv" in make and "pip install" in make
    assert "screening demo" in make

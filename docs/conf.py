"""Sphinx configuration for the pupil-risk-screening documentation.

Build with ``python -m sphinx -W -b html docs docs/_build/html`` (or let
``tests/test_docs.py`` build it into a temporary folder, warnings as errors).
"""

from __future__ import annotations

import sys
from pathlib import Path

import screening

sys.path.insert(0, str(Path(__file__).parent / "_ext"))

project = "pupil-risk-screening"
author = "pupil-risk-screening contributors"
copyright = "the pupil-risk-screening contributors (MIT licence)"
release = screening.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_parser",
    "public_api",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "_ext", "Thumbs.db", ".DS_Store"]

# Every broken reference is an error: `nitpicky` turns a missing target into a warning,
# and the test builds with -W. Names from other libraries cannot be resolved without
# intersphinx (which needs the network), so they are the only ones let through.
nitpicky = True
_OTHER_LIBRARIES = ("pandas", "pd", "numpy", "np", "sklearn", "scipy", "matplotlib", "joblib",
                    "skops", "fairlearn", "shap", "dask", "pathlib", "os", "datetime")
nitpick_ignore_regex = [
    (r"py:.*", rf"({'|'.join(_OTHER_LIBRARIES)})(\..*)?"),
    (r"py:.*", r"(str|int|float|bool|dict|list|tuple|None|object|bytes|callable)"),
]

# Some examples are schematic (the JSON card's probability block has placeholders A and B);
# Pygments failing to colour them is not a problem with the text.
suppress_warnings = ["misc.highlighting_failure"]

# The docstrings are numpydoc; their Parameters sections carry the types in words
# (with defaults), so signatures are shown without annotations.
autodoc_typehints = "none"
autodoc_member_order = "bysource"
autodoc_default_options: dict[str, object] = {}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True

myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

html_theme = "pydata_sphinx_theme"
html_title = "pupil-risk-screening"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
}
html_static_path: list[str] = []

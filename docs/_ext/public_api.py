"""``.. public-api:: MODULE``: the reference for everything in ``MODULE.__all__``.

The reference is written from the package itself, so a name added to ``__all__`` is
documented on the next build and a name removed disappears: nothing to keep in step by
hand. Names are shown in the groups the package's ``__init__.py`` gives them (the
comment lines inside ``__all__``). A name that a package re-exports from another part
of the library (``screening.Records`` is ``screening.features.Records``) gets a short
entry that links to its home, so both names can be cross-referenced while the object is
documented once.
"""

from __future__ import annotations

import importlib
import inspect
import re

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective

_NAME = re.compile(r"""["']([A-Za-z_][A-Za-z0-9_]*)["']""")


def public_groups(module) -> list[tuple[str, list[str]]]:
    """``__all__`` split into the groups its comment lines name, in source order."""
    source = inspect.getsource(module)
    start = source.index("__all__")
    body = source[start:source.index("]", start)]
    groups: list[tuple[str, list[str]]] = [("", [])]
    for line in body.splitlines()[1:]:
        text = line.strip()
        if text.startswith("#"):
            groups.append((text.lstrip("# ").strip(), []))
            continue
        groups[-1][1].extend(_NAME.findall(text.split("#")[0]))
    listed = [n for _, names in groups for n in names]
    if sorted(listed) != sorted(module.__all__):  # __all__ built some other way
        groups = [("", list(module.__all__))]
    return [(title, names) for title, names in groups if names]


def home(obj) -> str | None:
    """The public package an object belongs to (its module without private parts)."""
    module = getattr(obj, "__module__", None)
    if not isinstance(module, str) or not module.startswith("screening"):
        return None
    parts = []
    for part in module.split("."):
        if part.startswith("_"):
            break
        parts.append(part)
    return ".".join(parts)


def _entry(modname: str, name: str, obj) -> list[str]:
    target = f"{modname}.{name}"
    if inspect.ismodule(obj):
        return [f"* :mod:`{obj.__name__}`: {_summary(obj)}", ""]
    where = home(obj)
    if where is not None and where != modname:  # an alias: a short entry and a link
        if inspect.isclass(obj):
            kind = "exception" if issubclass(obj, BaseException) else "class"
            role = "exc" if kind == "exception" else "class"
        else:
            kind, role = "function", "func"
        return [f".. py:{kind}:: {name}", f"   :module: {modname}", "",
                f"   The same as :{role}:`{where}.{name}`, re-exported here.", ""]
    if inspect.isclass(obj) and issubclass(obj, BaseException):
        return [f".. autoexception:: {target}", ""]
    if inspect.isclass(obj):
        return [f".. autoclass:: {target}", "   :members:", ""]
    if callable(obj):
        return [f".. autofunction:: {target}", ""]
    return [f".. autodata:: {target}", "   :no-value:", ""]


def _summary(obj) -> str:
    doc = inspect.getdoc(obj) or ""
    return doc.strip().split("\n\n")[0].replace("\n", " ")


class PublicAPI(SphinxDirective):
    """Document every public name of one module, grouped as its ``__all__`` is."""

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        modname = self.arguments[0]
        module = importlib.import_module(modname)
        self.env.note_dependency(inspect.getsourcefile(module))
        lines: list[str] = []
        for title, names in public_groups(module):
            if title:
                lines += [f".. rubric:: {title[0].upper()}{title[1:]}", ""]
            for name in names:
                if name.startswith("__"):
                    continue
                lines += _entry(modname, name, getattr(module, name))
        container = nodes.container()
        self.state.nested_parse(StringList(lines, source=f"<public-api {modname}>"),
                                self.content_offset, container)
        return container.children


_SKLEARN_ROUTING = re.compile(r"^set_\w+_request$")


def skip_routing(app, what, name, obj, skip, options):
    """Leave out scikit-learn's generated ``set_*_request`` methods (metadata routing)."""
    return True if _SKLEARN_ROUTING.match(name) else None


def setup(app):
    app.add_directive("public-api", PublicAPI)
    app.connect("autodoc-skip-member", skip_routing)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

"""Defers loading PyTorch until something uses it.

Haystack imports PyTorch whenever it is installed, to describe devices; that costs about two
seconds and 185 MB in every process, although the default CPU runtime (ONNX) never touches it.
Here ``import torch`` first binds a stand-in module. The first attribute anyone reads from it,
or the first import of one of PyTorch's submodules, imports the real PyTorch and hands over.
Processes that use PyTorch (the 'torch' runtime, a reranker, the ONNX export) load it as before,
only later; the others never pay for it.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import types
from typing import Any

_NAME = "torch"


class _DeferredModule(types.ModuleType):
    """Stands in for PyTorch until one of its attributes is read, then forwards to the real module."""

    def __getattr__(self, name: str) -> Any:
        return getattr(_load_real(), name)


def _load_real() -> types.ModuleType:
    """Import the real PyTorch in place of the stand-in (once), and return it."""
    module = sys.modules.get(_NAME)
    if isinstance(module, _DeferredModule):
        del sys.modules[_NAME]
        module = importlib.import_module(_NAME)
    assert module is not None
    return module


class _LoadedModule(importlib.abc.Loader):
    """Hands the import system a submodule that loading the real package has already imported.

    The import system would run a module again if it saw its own spec here, so the finder hides
    that spec while this loader is in use and ``exec_module`` puts it back.
    """

    def __init__(self, original_spec: importlib.machinery.ModuleSpec | None) -> None:
        self.original_spec = original_spec

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        return sys.modules[spec.name]

    def exec_module(self, module: types.ModuleType) -> None:
        module.__spec__ = self.original_spec


class _SubmoduleFinder(importlib.abc.MetaPathFinder):
    """Before a ``torch.*`` submodule is found, replaces the stand-in with the real package."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> importlib.machinery.ModuleSpec | None:
        if not name.startswith(_NAME + ".") or not isinstance(sys.modules.get(_NAME), _DeferredModule):
            return None
        _load_real()
        module = sys.modules.get(name)
        if module is None:
            return None  # the usual finders take it from here, under the real package
        original_spec = module.__spec__
        module.__spec__ = None  # type: ignore[assignment]  # restored by _LoadedModule.exec_module
        return importlib.util.spec_from_loader(name, _LoadedModule(original_spec))


def defer_torch_import() -> None:
    """Make ``import torch`` cheap in this process (nothing happens if it is loaded or not installed)."""
    if _NAME in sys.modules:
        return
    spec = importlib.util.find_spec(_NAME)
    if spec is None:
        return
    stand_in = _DeferredModule(_NAME)
    stand_in.__spec__ = spec  # read by the import system; reading it must not load PyTorch
    # Submodule imports look up the package's path first: give the real one without loading it.
    stand_in.__path__ = list(spec.submodule_search_locations or [])
    sys.modules[_NAME] = stand_in
    sys.meta_path.insert(0, _SubmoduleFinder())

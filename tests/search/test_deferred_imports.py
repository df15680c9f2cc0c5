"""PyTorch loads only when something uses it, and then works in full (checked in fresh processes)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_the_search_service_imports_without_loading_pytorch() -> None:
    out = _run("import sys, search.service, haystack.utils.device; print('torch._C' in sys.modules)")
    assert out.strip() == "False"


def test_pytorch_still_loads_in_full_through_a_submodule_import() -> None:
    # `import torch.distributed` first: its package import also imports it, which must not run it twice.
    out = _run(
        "import search, sys\n"
        "import torch.distributed as dist\n"
        "import torch.nn.functional as F\n"
        "import torch\n"
        "print(type(sys.modules['torch']).__name__, dist.__spec__.origin.endswith('__init__.py'), "
        "float(F.normalize(torch.ones(1, 4))[0, 0]))"
    )
    assert out.split() == ["module", "True", "0.5"]


def test_pytorch_loads_on_first_attribute_through_a_module_that_imported_it_early() -> None:
    out = _run(
        "import search, sys\n"
        "from haystack.utils import device\n"
        "print('torch._C' in sys.modules, device.torch.zeros(3).shape[0], 'torch._C' in sys.modules)"
    )
    assert out.split() == ["False", "3", "True"]

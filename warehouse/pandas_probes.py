"""DuckDB's probes for pandas, answered without importing it.

DuckDB 1.4's Python client imports pandas (0.25-0.45 s of CPU) the first time it binds a
parameter (its value conversion asks whether the value is `pandas.NaT` before anything else)
and when it scans an Arrow table (through `pyarrow.dataset`, whose import probes for pandas
too). A run of a few documents never hands DuckDB a pandas object, and none can exist
before pandas is loaded: while nothing has imported it, such a probe can only answer "no".
Later duckdb-python releases look only when pandas is already loaded; `answer_without_pandas`
does the same for this one.

A probe is an import of `pandas` made from compiled code while a warehouse module (this
package) calls into DuckDB, or while `pyarrow.dataset` is being imported for DuckDB's Arrow
scan. It fails as if pandas were not installed; DuckDB and pyarrow ask again next time, so
once pandas is loaded they find it. Every other import of pandas is left alone: a Python
`import pandas` (GX), `importlib` (polars), pyarrow's `to_pandas` called from elsewhere.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import opcode
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from types import FrameType, ModuleType

_IMPORT_NAME = opcode.opmap["IMPORT_NAME"]
_EXTENDED_ARG = opcode.opmap["EXTENDED_ARG"]
_MACHINERY = "<frozen importlib._bootstrap"  # also _bootstrap_external
_WAREHOUSE = str(Path(__file__).resolve().parent) + os.sep
_PYARROW_DATASET = os.sep + os.path.join("pyarrow", "dataset.py")


def _imported_name(frame: FrameType) -> str | None:
    """The module name of the IMPORT_NAME instruction the frame is executing, if it is."""
    code, at = frame.f_code.co_code, frame.f_lasti
    if at < 0 or at + 1 >= len(code) or code[at] != _IMPORT_NAME:
        return None
    arg, shift, prefix = code[at + 1], 8, at - 2
    while prefix >= 0 and code[prefix] == _EXTENDED_ARG:
        arg |= code[prefix + 1] << shift
        shift, prefix = shift + 8, prefix - 2
    names = frame.f_code.co_names
    return names[arg] if arg < len(names) else None


def _is_probe(frame: FrameType | None) -> bool:
    while frame is not None and frame.f_code.co_filename.startswith(_MACHINERY):
        frame = frame.f_back
    if frame is None:
        return False
    filename = frame.f_code.co_filename
    if filename.endswith(_PYARROW_DATASET):
        return True  # pyarrow._dataset's import, asking whether pandas is there
    if not filename.startswith(_WAREHOUSE):
        return False
    name = _imported_name(frame)  # a warehouse module's own `import pandas` is no probe
    return not (name is not None and (name == "pandas" or name.startswith("pandas.")))


class _PandasProbes(importlib.abc.MetaPathFinder):
    def find_spec(
        self, name: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if name != "pandas":
            return None
        try:
            probe = _is_probe(sys._getframe(1))
        except Exception:  # an interpreter whose frames look otherwise: import as usual
            return None
        if not probe:
            return None
        raise ModuleNotFoundError("pandas is not loaded: a probe is answered 'no'", name=name)


_FINDER = _PandasProbes()


def answer_without_pandas() -> None:
    """Install the finder for this process (idempotent)."""
    if _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)

"""The run's flow stores its parameters as Prefect would, without importing FastAPI."""

import json
from pathlib import Path

from prefect import Flow

from flows.json_flow import JsonFlow
from tests.fresh_python import run_python


def _fn(paths=None, web=None, flag=False, where=None, nan=None):
    return None


PARAMETERS = {
    "paths": ["/a", "/b"],
    "web": {"urls": ("https://example.org/x",), "all_sources": False, "none": None},
    "flag": True,
    "where": Path("/tmp/x"),  # not JSON: Prefect's own encoder
    "nan": float("nan"),  # neither: Prefect's own encoder (or its placeholder)
}


def test_stored_parameters_equal_prefects_own():
    ours = JsonFlow(fn=_fn, name="t").serialize_parameters(PARAMETERS)
    prefects = Flow(fn=_fn, name="t").serialize_parameters(PARAMETERS)
    assert list(ours) == list(prefects)
    assert json.dumps(ours, default=str) == json.dumps(prefects, default=str)
    assert ours["web"]["urls"] == ["https://example.org/x"]  # a tuple becomes a list


def test_json_parameters_do_not_import_fastapi():
    # A fresh interpreter: this test process has the Prefect server (FastAPI) loaded.
    code = (
        "import sys\n"
        "from flows.pipeline import newsdesk_run\n"
        "found = newsdesk_run.serialize_parameters({'paths': ['/a'], 'web': None})\n"
        "print(found, 'fastapi' in sys.modules)\n"
    )
    done = run_python("-c", code)
    assert done.stdout.split("\n")[0] == "{'paths': ['/a'], 'web': None} False"

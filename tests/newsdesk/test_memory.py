"""The run process's heap (newsdesk/core/memory.py): at most two malloc arenas however many
threads allocate, and what a batch freed handed back to the system. Each check runs in a
fresh interpreter: this one's arenas were made (and maybe limited) by earlier tests."""

from __future__ import annotations

import json
import re

from tests.fresh_python import run_python

# Eight threads allocate at once (a barrier holds them until all are started), each a
# block too small for its own mmap, so each one that finds the arenas busy wants one more;
# then glibc's malloc_info tells how many arenas (heaps) the process has.
_ARENAS = """
import ctypes, sys, tempfile, threading
from newsdesk.core.memory import limit_arenas
if sys.argv[1] == "limited":
    assert limit_arenas()
barrier = threading.Barrier(8)
kept = []
def work():
    barrier.wait()
    kept.append([bytearray(20_000) for _ in range(200)])
threads = [threading.Thread(target=work) for _ in range(8)]
for t in threads: t.start()
for t in threads: t.join()
libc = ctypes.CDLL(None)
libc.fopen.restype = ctypes.c_void_p
with tempfile.NamedTemporaryFile(suffix=".xml") as out:
    stream = libc.fopen(out.name.encode(), b"w")
    libc.malloc_info(0, ctypes.c_void_p(stream))
    libc.fclose(ctypes.c_void_p(stream))
    print(open(out.name).read())
"""


def _heaps(mode: str) -> int:
    return len(re.findall(r'<heap nr="\d+">', run_python("-c", _ARENAS, mode).stdout))


def test_the_arenas_stay_two_however_many_threads_allocate() -> None:
    assert _heaps("free") > 2  # the check can tell: glibc's own limit is eight a core
    assert _heaps("limited") <= 2


# 100 MB in 50,000 blocks, then one block that stays (so the freed ones are not at the top
# of the heap, where glibc gives memory back by itself), then the 100 MB freed.
_TRIM = """
import json
from newsdesk.core.memory import release_freed, resident_mb
blocks = [bytearray(2_000) for _ in range(50_000)]
stays = bytearray(2_000)
del blocks
before = resident_mb()[0]
released = release_freed()
print(json.dumps([before, resident_mb()[0], released]))
"""


def test_what_was_freed_goes_back_to_the_system() -> None:
    before, after, released = json.loads(run_python("-c", _TRIM).stdout)
    assert released
    assert before - after > 50  # MB: most of the 100 MB freed, not kept in the heap

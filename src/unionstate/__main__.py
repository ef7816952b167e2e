"""The ``unionstate`` command and ``python -m unionstate``.

Before anything loads polars, the command asks polars' memory allocator
(jemalloc) to hand the memory it no longer uses back to the system a tenth of a
second after it is freed, from a background thread, instead of keeping it for
reuse: a run's columns and the rules' working tables come and go, and pages kept
after them would count as the run's memory (D57). Polars reads the setting from
``_RJEM_MALLOC_CONF`` when it loads, after its own defaults, so it wins over
them. A value the user has set there is kept; where polars is built without
jemalloc, the variable is ignored.
"""

import os

#: jemalloc's settings for polars in the command: unused pages returned to the
#: system 100 ms after they are freed, by a background thread.
ALLOCATOR = "background_thread:true,dirty_decay_ms:100,muzzy_decay_ms:0"


def run() -> None:
    """Console-script entry point."""
    os.environ.setdefault("_RJEM_MALLOC_CONF", ALLOCATOR)
    from unionstate.cli import run as command

    command()


if __name__ == "__main__":
    run()

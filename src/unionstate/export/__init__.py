"""Exports: the writer registry and one module per format.

:data:`WRITERS` maps a format name (``--to NAME``) to its :class:`Writer`;
``unionstate convert``, ``unionstate export`` and ``unionstate release`` all
write through it (docs/cli.md, docs/releasing.md).
"""

from __future__ import annotations

from .registry import WRITERS, Files, Writer, release_writers, writer

__all__ = ["WRITERS", "Files", "Writer", "release_writers", "writer"]

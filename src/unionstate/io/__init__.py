"""Readers and writers: data directory, JSON document, JSON Lines, CSV in; locations kept."""

from .read import InputError, RawDataset, RawRecord, read
from .write import dump_document, dump_jsonl, write_atomic, write_dir

__all__ = [
    "InputError",
    "RawDataset",
    "RawRecord",
    "dump_document",
    "dump_jsonl",
    "read",
    "write_atomic",
    "write_dir",
]

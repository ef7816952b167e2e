"""The layout of a release: its folder and file names, its schema files and
checksums (what :mod:`.build` writes and :mod:`.verify` checks)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from unionstate.schema import all_schemas

#: Folder and archive names: ``unionstate-data-X.Y.Z`` and ``.tar.gz``.
RELEASE_PREFIX = "unionstate-data-"
ARCHIVE_SUFFIX = ".tar.gz"
SUMS_FILE = "SHA256SUMS"
PACKAGE_FILE = "datapackage.json"
RECORDS_FILE = "records.jsonl"
DOCUMENT_FILE = "dataset.json"
CHANGES_FILE = "CHANGES.md"
CSV_DIR = "csv"
SCHEMA_DIR = "schemas"


def release_name(version: str) -> str:
    """The folder name of release ``version``."""
    return f"{RELEASE_PREFIX}{version}"


def sha256(data: bytes) -> str:
    """The hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def schema_files() -> dict[str, bytes]:
    """The schema files a release built now carries, by path."""
    return {
        f"{SCHEMA_DIR}/{name}.schema.json": (
            json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
        ).encode("utf-8")
        for name, schema in all_schemas().items()
    }


def current_schemas() -> dict[str, Any]:
    """The schemas a release built now carries, as parsed JSON (name → schema)."""
    return {
        path.removeprefix(f"{SCHEMA_DIR}/").removesuffix(".schema.json"): json.loads(data)
        for path, data in schema_files().items()
    }

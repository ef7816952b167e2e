"""Versioned data releases: build, verify, and read them back.

A release of version ``X.Y.Z`` is a folder ``unionstate-data-X.Y.Z/`` and its
archive ``unionstate-data-X.Y.Z.tar.gz`` beside it (layout, exports and
guarantees in ``docs/releasing.md``). One module per job:

* :mod:`.layout`: the file names, schema files and checksums;
* :mod:`.build`: the files (from the writer registry of
  :mod:`unionstate.export`), the Data Package descriptor, the deterministic
  archive, and their atomic publication;
* :mod:`.verify`: checksums, sizes, the records' validity and the derived
  files, each problem named;
* :mod:`.archive`: safe extraction of archives and reading a release back.

The CSV tables are :mod:`unionstate.export.tables`; the command line is
:mod:`unionstate.cli`.
"""

from __future__ import annotations

from unionstate.export.tables import (
    ID_SEPARATOR,
    Cell,
    Column,
    columns,
    render_csv,
    table_name,
    table_schema,
    unescape_cell,
)

from .archive import (
    MAX_EXTRACT_BYTES,
    MAX_EXTRACT_RATIO,
    MAX_MEMBERS,
    MIN_EXTRACT_LIMIT,
    UnsafeArchiveError,
    check_archive,
    extract_archive,
    open_release,
    read_release,
    release_records,
)
from .build import (
    EXIT_INVALID,
    EXIT_OK,
    EXIT_UNUSABLE,
    Built,
    ReleaseError,
    build_release,
    datapackage,
    derived_files,
    first_release_changes,
    render_archive,
    render_release,
    resolve_created,
    sums,
)
from .layout import (
    ARCHIVE_SUFFIX,
    CHANGES_FILE,
    CSV_DIR,
    DOCUMENT_FILE,
    PACKAGE_FILE,
    RECORDS_FILE,
    RELEASE_PREFIX,
    SCHEMA_DIR,
    SUMS_FILE,
    current_schemas,
    release_name,
)
from .verify import Issue, Problem, Verification, verify

__all__ = [
    "ARCHIVE_SUFFIX",
    "CHANGES_FILE",
    "CSV_DIR",
    "DOCUMENT_FILE",
    "EXIT_INVALID",
    "EXIT_OK",
    "EXIT_UNUSABLE",
    "ID_SEPARATOR",
    "MAX_EXTRACT_BYTES",
    "MAX_EXTRACT_RATIO",
    "MAX_MEMBERS",
    "MIN_EXTRACT_LIMIT",
    "PACKAGE_FILE",
    "RECORDS_FILE",
    "RELEASE_PREFIX",
    "SCHEMA_DIR",
    "SUMS_FILE",
    "Built",
    "Cell",
    "Column",
    "Issue",
    "Problem",
    "ReleaseError",
    "UnsafeArchiveError",
    "Verification",
    "build_release",
    "check_archive",
    "columns",
    "current_schemas",
    "datapackage",
    "derived_files",
    "extract_archive",
    "first_release_changes",
    "open_release",
    "read_release",
    "release_name",
    "release_records",
    "render_archive",
    "render_csv",
    "render_release",
    "resolve_created",
    "sums",
    "table_name",
    "table_schema",
    "unescape_cell",
    "verify",
]

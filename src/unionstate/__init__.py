"""unionstate: a typed model, schemas, validator and canonical dataset for the
integration of Belarus and Russia within the Union State.

>>> import unionstate
>>> ds = unionstate.load()                       # the shipped canonical data
>>> [p.id for p in ds.holder_of("office/prime-minister-of-russia", on="2021-04-16")]
['person/mishustin']
"""

from __future__ import annotations

__version__ = "0.1.0"

from unionstate.dataset import Dataset, DatasetError, data_dir, from_records, load
from unionstate.io import InputError
from unionstate.pipeline import check, validate_path
from unionstate.report import Finding, Report, Severity
from unionstate.schema.generate import SCHEMA_VERSION

__schema_version__ = SCHEMA_VERSION

__all__ = [
    "SCHEMA_VERSION",
    "Dataset",
    "DatasetError",
    "Finding",
    "InputError",
    "Report",
    "Severity",
    "__schema_version__",
    "__version__",
    "check",
    "data_dir",
    "from_records",
    "load",
    "validate_path",
]

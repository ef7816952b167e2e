"""Field helpers: the metadata that the schema generator, the reference index
and the hypothesis strategies all read, so the attrs classes stay the one source
of truth.

Metadata keys (all optional):

``description``  a sentence for the schema and the data dictionary.
``ref``          a tuple of record types an id in this field may point to.
``format``       ``"edtf"`` (a date, see :mod:`unionstate.dates`), ``"uri"``,
                 ``"lang"`` (a BCP 47 tag) or ``"id"`` (a record id).
``min_items``    the least number of items in a sequence.
``minimum``      the least value of an integer.
``examples``     example values for the documentation.
"""

from __future__ import annotations

from typing import Any

import attrs

#: Record ids: ``<type>/<slug>``, the slug lower-case ASCII words joined by ``-``
#: (dots and underscores allowed inside), e.g. ``person/lukashenka``.
ID_SLUG = r"[a-z0-9]+(?:[-._][a-z0-9]+)*"
ID_PATTERN = rf"^[a-z]+/{ID_SLUG}$"

#: A BCP 47 language tag, in the forms the data uses (``be``, ``ru-Latn``,
#: ``be-Latn-x-lacinka``, ``en``).
LANG_PATTERN = r"^[a-z]{2,3}(?:-[A-Z][a-z]{3})?(?:-[A-Z]{2})?(?:-x(?:-[a-z0-9]{1,8})+)?$"

#: Extension keys that third parties may add to any record; they are kept as
#: they are and never interpreted.
EXTENSION_PREFIX = "x_"


def _meta(
    description: str,
    *,
    ref: tuple[str, ...] | None = None,
    fmt: str | None = None,
    min_items: int | None = None,
    minimum: int | None = None,
) -> dict[str, Any]:
    meta: dict[str, Any] = {"description": description}
    if ref is not None:
        meta["ref"] = ref
        meta.setdefault("format", "id")
    if fmt is not None:
        meta["format"] = fmt
    if min_items is not None:
        meta["min_items"] = min_items
    if minimum is not None:
        meta["minimum"] = minimum
    return meta


def req(description: str, **kw: Any) -> Any:
    """A required field."""
    return attrs.field(metadata=_meta(description, **kw))


def opt(description: str, **kw: Any) -> Any:
    """An optional scalar field, ``None`` when absent."""
    return attrs.field(default=None, metadata=_meta(description, **kw))


def seq(description: str, **kw: Any) -> Any:
    """A sequence field (a tuple in Python, an array in JSON). Empty by default,
    unless ``min_items`` is set: then it is required and checked for length."""
    meta = _meta(description, **kw)
    n = meta.get("min_items", 0)
    if n:
        return attrs.field(converter=tuple, validator=attrs.validators.min_len(n), metadata=meta)
    return attrs.field(default=(), converter=tuple, metadata=meta)


def flag(description: str, default: bool = False) -> Any:
    """A boolean field with a default."""
    return attrs.field(default=default, metadata=_meta(description))

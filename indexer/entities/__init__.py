"""People, ministers, provinces, places and organisations in one announcement.

Pure functions over the text (title, description, body) and its date; the reference
data (gazetteer, registry of officials and organisations, the staff's registry
folder) is read once. The package, by job:

* :mod:`.types` — what is returned (``Entities``, ``Person``, ``Place``)
* :mod:`.vocabulary` — honorifics, titles and unit words of both scripts, shared by
  every extractor and by the query side
* :mod:`.registry` — officials and organisations, name resolution, the data version,
  Khmer spellings of facet values; :mod:`.staff` reads and checks the staff folder
* :mod:`.names` — what a person's name looks like in either script
* :mod:`.people`, :mod:`.places`, :mod:`.organisations` — the extractors
* :mod:`.twins` — a Khmer file's people aligned with its English twin
* :mod:`.pipeline` — :func:`extract`, all of them over one text

Names are imported from their module on first use, so ``indexer.entities.registry``
(all the query side needs) loads without the extractors.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "extract": "pipeline",
    "align_with_twin": "twins",
    "Entities": "types",
    "Person": "types",
    "Place": "types",
    "data_version": "registry",
    "resolve_khmer_name": "registry",
    "resolve_latin_name": "registry",
    "khmer_name": "registry",
}
__all__ = [
    "Entities",
    "Person",
    "Place",
    "align_with_twin",
    "data_version",
    "extract",
    "khmer_name",
    "resolve_khmer_name",
    "resolve_latin_name",
]

if TYPE_CHECKING:
    from indexer.entities.pipeline import extract
    from indexer.entities.registry import (
        data_version,
        khmer_name,
        resolve_khmer_name,
        resolve_latin_name,
    )
    from indexer.entities.twins import align_with_twin
    from indexer.entities.types import Entities, Person, Place


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value

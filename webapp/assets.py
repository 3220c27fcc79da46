"""Static assets: a Khmer WOFF2 subset, content-hashed names, precompressed bodies.

A first visit used to fetch the whole Noto Sans Khmer TTF (360 KB, most of the page's
weight). Here, once per font version, the packaged variable font is cut down with
fontTools to the code points the indexer counts as Khmer, pinned to normal width and
limited to the weights the stylesheet uses, and saved as WOFF2 (Brotli) — about 30 KB —
in the cache directory (outside the package, which may be read-only). Workers that
start together take a file lock, so one builds and the others read.

Every asset is served under a name that carries a hash of its bytes
(``style.3f2a….css``), so it can be cached for a year and never revalidated; a new
version has a new name. The stylesheet names the font by its hashed name, so its own
hash follows the font's. Bodies are compressed once, at start (gzip and Brotli).
"""

from __future__ import annotations

import fcntl
import gzip
import hashlib
import io
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import brotli
import fontpkg_noto_sans_khmer

from indexer.khmer import KHMER_CHAR

STATIC = Path(__file__).parent / "static"
SOURCE_FONT = next(Path(fontpkg_noto_sans_khmer.__file__).parent.glob("files/*.ttf"))
FONT_NAME = "noto-sans-khmer.woff2"
WEIGHTS = (400, 700)  # the stylesheet's normal and bold; 600 falls inside
DOTTED_CIRCLE = 0x25CC  # drawn by the shaper under a mark that has no base
SUBSET_VERSION = "1"  # bump when the subsetting below changes
IMMUTABLE = "public, max-age=31536000, immutable"
MIMETYPES = {".css": "text/css", ".js": "text/javascript", ".woff2": "font/woff2"}
COMPRESSIBLE = {".css", ".js"}


@dataclass(frozen=True)
class Asset:
    name: str  # the hashed name it is served under
    mimetype: str
    body: bytes
    encoded: dict[str, bytes] = field(default_factory=dict)  # "br", "gzip" → body


def khmer_code_points(cmap: dict[int, str]) -> list[int]:
    """The font's code points that the indexer counts as Khmer, and the dotted circle."""
    return sorted(c for c in cmap if KHMER_CHAR.match(chr(c)) or c == DOTTED_CIRCLE)


def build_font_subset(source: Path = SOURCE_FONT) -> bytes:
    """The Khmer WOFF2 subset of ``source`` (all layout features kept: Khmer shaping
    needs its substitutions and mark positioning)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont
    from fontTools.varLib import instancer

    font = TTFont(source)
    options = subset.Options()
    options.layout_features = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=khmer_code_points(font.getBestCmap()))
    subsetter.subset(font)
    if "fvar" in font:
        axes = {a.axisTag for a in font["fvar"].axes}
        limits: dict[str, object] = {"wght": WEIGHTS} if "wght" in axes else {}
        if "wdth" in axes:
            limits["wdth"] = 100
        font = instancer.instantiateVariableFont(font, limits)
    font.flavor = "woff2"
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def cached_font_subset(cache_dir: Path, source: Path = SOURCE_FONT) -> Path:
    """The subset's file in ``cache_dir``, built on first use (under a lock)."""
    key = hashlib.sha256(source.read_bytes() + SUBSET_VERSION.encode()).hexdigest()[:16]
    path = cache_dir / f"noto-sans-khmer-{key}.woff2"
    if path.exists():
        return path
    cache_dir.mkdir(parents=True, exist_ok=True)
    with open(cache_dir / ".font.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not path.exists():
            data = build_font_subset(source)
            with tempfile.NamedTemporaryFile(dir=cache_dir, delete=False) as tmp:
                tmp.write(data)
            os.replace(tmp.name, path)
    return path


def unicode_range(code_points: list[int]) -> str:
    """CSS ``unicode-range`` of a sorted list of code points, as runs."""
    runs: list[list[int]] = []
    for c in code_points:
        if runs and c == runs[-1][1] + 1:
            runs[-1][1] = c
        else:
            runs.append([c, c])
    return ", ".join(f"U+{a:X}" if a == b else f"U+{a:X}-{b:X}" for a, b in runs)


def _hashed(logical: str, body: bytes) -> str:
    stem, dot, ext = logical.rpartition(".")
    return f"{stem}.{hashlib.sha256(body).hexdigest()[:12]}{dot}{ext}"


def _asset(logical: str, body: bytes) -> Asset:
    suffix = Path(logical).suffix
    encoded = {}
    if suffix in COMPRESSIBLE:
        encoded = {"br": brotli.compress(body, quality=11), "gzip": gzip.compress(body, 9)}
    return Asset(_hashed(logical, body), MIMETYPES[suffix], body, encoded)


class Assets:
    """Every static asset by logical name (``style.css``) and by served name."""

    def __init__(self, cache_dir: Path) -> None:
        from fontTools.ttLib import TTFont

        font_path = cached_font_subset(cache_dir)
        font = _asset(FONT_NAME, font_path.read_bytes())
        covered = khmer_code_points(TTFont(font_path).getBestCmap())
        css = (STATIC / "style.css").read_text(encoding="utf-8")
        css = css.replace("{{font}}", font.name).replace("{{range}}", unicode_range(covered))
        self.by_logical: dict[str, Asset] = {
            FONT_NAME: font,
            "style.css": _asset("style.css", css.encode()),
        }
        for path in sorted(STATIC.glob("*.js")):
            self.by_logical[path.name] = _asset(path.name, path.read_bytes())
        self.by_name = {a.name: a for a in self.by_logical.values()}
        self.version = hashlib.sha256("".join(sorted(self.by_name)).encode()).hexdigest()[:12]

    def name(self, logical: str) -> str:
        return self.by_logical[logical].name


def build_id(assets: Assets) -> str:
    """A hash of what a page is made from besides the index: the app's code, templates,
    catalogues and assets. Part of every page's ETag, so a deploy invalidates them."""
    package = Path(__file__).parent
    digest = hashlib.sha256(assets.version.encode())
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".html", ".po") and "__pycache__" not in path.parts:
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]

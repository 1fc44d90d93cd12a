"""Bytes to text, never guessing: a BOM or valid UTF-8, else the operator says."""

from __future__ import annotations

import codecs


class FileRefused(Exception):
    """A whole file cannot be read; the message names it and says what to do."""


_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def check_encoding(encoding: str) -> str:
    """The codec's canonical name; FileRefused for a name Python does not know."""
    try:
        info = codecs.lookup(encoding)
    except LookupError:
        info = None
    # Bytes-to-bytes codecs (zlib, base64) are not text encodings: CPython marks them.
    if info is None or not getattr(info, "_is_text_encoding", True):
        raise FileRefused(f"unknown encoding {encoding!r} (try utf-8, cp1252, latin-1)")
    return info.name


def decode(name: str, data: bytes, encoding: str | None = None) -> str:
    """The text of a file: in `encoding` when given, else UTF-8 or UTF-16/32 by BOM.

    Anything else is refused rather than decoded as a guess: a cp1252 file read as
    Latin-1 would import "Côte d’Ivoire" with a wrong apostrophe, silently.
    """
    if encoding is not None:
        codec = check_encoding(encoding)
        try:
            text = data.decode(codec)
        except UnicodeDecodeError as error:
            raise FileRefused(
                f"{name}: not valid {codec} (byte 0x{data[error.start]:02x} at offset "
                f"{error.start}); check --encoding"
            ) from None
        return text.removeprefix("\ufeff")
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec).removeprefix("\ufeff")
            except UnicodeDecodeError:
                raise FileRefused(f"{name}: starts with a {codec} BOM but is not {codec}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise FileRefused(
            f"{name}: not UTF-8 (byte 0x{data[error.start]:02x} at offset {error.start}); "
            "name its encoding with --encoding, e.g. --encoding cp1252"
        ) from None

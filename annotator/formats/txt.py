"""Plain text: one article per file, no annotations.

Sample (a whole file)::

    รัฐบาลไทย-ข่าวทำเนียบรัฐบาล-นายกฯ เปิดงานตลาดชุมชน

    วันพุธที่ 3 มกราคม 2567
    นายกฯ เปิดงานตลาดชุมชนที่จังหวัดลำปาง ...
    ที่มา : https://www.thaigov.go.th/news/contents/details/12345

The document text is the file's text exactly as decoded (see :mod:`.encoding`: a
leading BOM is dropped, line ends are kept). Title, date and URL go to ``meta``
(see :mod:`.metadata`).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

from annotator.core.errors import InputFileError, InputProblem
from annotator.core.model import DocumentData
from annotator.formats import encoding, metadata

MAX_BYTES = 2_000_000  # the largest real article is ~366 KB; 2 MB leaves room


def read(
    path: str | os.PathLike[str], max_bytes: int = MAX_BYTES
) -> Iterator[DocumentData | InputProblem]:
    """Yield the one document of a text file. Raises InputFileError if refused."""
    yield load(path, max_bytes)[0]


def load(path: str | os.PathLike[str], max_bytes: int = MAX_BYTES) -> tuple[DocumentData, bytes | None]:
    """The one document of a text file, and the UTF-8 bytes of its text when the file was
    UTF-8 (see :func:`encoding.decode_keeping`), else None. Raises InputFileError."""
    data = _read_limited(path, max_bytes)
    text, utf8 = encoding.decode_keeping(data, path)
    if not text.strip():
        raise InputFileError(path, 0, "empty file (no text, or only white space)")
    return DocumentData(text, metadata.extract(text), [], source=str(path), line=1), utf8


_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


def _read_limited(path: str | os.PathLike[str], max_bytes: int) -> bytes:
    """The file's bytes, refusing it before reading if it is larger than ``max_bytes``.

    Plain ``os`` calls (open, fstat, read until the end, close): a buffered file object
    costs more than reading a whole article, and ``read(max_bytes + 1)`` on one sets
    aside the whole limit (2 MB) for every file."""
    try:
        fd = os.open(path, _OPEN_FLAGS)
        try:
            st = os.fstat(fd)
            size = st.st_size
            if size > max_bytes:
                raise _too_large(path, size, max_bytes)
            # Read to the end, but one byte past the limit at most: a file that grew, or a
            # pipe/device whose size stat cannot tell, is still caught without reading it all.
            want = max_bytes + 1
            asked = min(size + 1, want) if size else min(want, 1 << 16)
            data = os.read(fd, asked)
            # A regular file that gives less than asked is at its end (one read, not two)
            if data and not (len(data) < asked and stat.S_ISREG(st.st_mode)):
                parts = [data]
                got = len(data)
                while got < want:
                    more = os.read(fd, min(want - got, 1 << 20))
                    if not more:
                        break
                    parts.append(more)
                    got += len(more)
                if len(parts) > 1:
                    data = b"".join(parts)
        finally:
            os.close(fd)
    except OSError as e:
        raise InputFileError(path, 0, f"cannot read: {e.strerror or e}") from None
    if len(data) > max_bytes:
        raise _too_large(path, None, max_bytes)
    return data


def _too_large(path: Path, size: int | None, max_bytes: int) -> InputFileError:
    what = f"{size:,} bytes" if size is not None else f"over {max_bytes:,} bytes"
    return InputFileError(
        path,
        0,
        f"file too large for one article: {what}, the limit is {max_bytes:,} bytes "
        "(split it, or raise the limit)",
    )

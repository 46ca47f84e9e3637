"""Plain-text reader and the decoding it relies on."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.core.errors import InputFileError
from annotator.core.model import DocumentData
from annotator.formats import encoding, txt

DATA = Path(__file__).parent.parent / "data" / "formats"
SAMPLE = "ข่าวประชาสัมพันธ์\nนายกรัฐมนตรีเดินทางไปเชียงใหม่\n"


def read_one(path: Path, **options) -> DocumentData:
    items = list(txt.read(path, **options))
    assert len(items) == 1 and isinstance(items[0], DocumentData)
    return items[0]


def refusal(path: Path, **options) -> InputFileError:
    with pytest.raises(InputFileError) as info:
        list(txt.read(path, **options))
    return info.value


def write(tmp_path: Path, data: bytes, name: str = "a.txt") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# ------------------------------------------------------------------------ good input


def test_thaigov_article_with_bom():
    path = DATA / "txt_thaigov.txt"
    doc = read_one(path)
    assert not doc.text.startswith("\ufeff")  # the BOM is not text
    assert doc.text.encode("utf-8") == path.read_bytes()[3:]  # everything else is kept
    assert doc.spans == [] and doc.source == str(path) and doc.line == 1
    assert doc.meta == {
        "title": "รองนายกฯ ตรวจเยี่ยมโครงการเมืองอัจฉริยะ จังหวัดขอนแก่น",
        "date": "2024-01-03",
        "date_text": "วันพุธที่ 3 มกราคม 2567",
        "url": "https://www.thaigov.go.th/news/contents/details/99999",
    }


def test_press_release_with_thai_digits():
    doc = read_one(DATA / "txt_press_release.txt")
    assert doc.meta["date"] == "2024-03-14"
    assert doc.meta["date_text"] == "พฤหัสบดี ๑๔ มีนาคม ๒๕๖๗ ๐๙:๓๐"
    assert doc.meta["title"].startswith("“ศูนย์ดิจิทัลชุมชน”")
    assert "url" not in doc.meta


def test_cp874_file_is_decoded():
    path = DATA / "txt_cp874.txt"
    doc = read_one(path)
    assert doc.text == path.read_bytes().decode("cp874")
    assert doc.text.startswith("ข่าวประชาสัมพันธ์\nนายกรัฐมนตรีเดินทางไปเชียงใหม่")


def test_tis620_bytes_are_decoded(tmp_path):
    assert read_one(write(tmp_path, SAMPLE.encode("tis-620"))).text == SAMPLE


def test_crlf_is_kept_exactly(tmp_path):
    text = SAMPLE.replace("\n", "\r\n")
    assert read_one(write(tmp_path, text.encode("utf-8"))).text == text


def test_only_one_bom_is_removed(tmp_path):
    data = encoding.UTF8_BOM + encoding.UTF8_BOM + SAMPLE.encode("utf-8")
    assert read_one(write(tmp_path, data)).text == "\ufeff" + SAMPLE


def test_utf16_with_bom(tmp_path):
    assert read_one(write(tmp_path, SAMPLE.encode("utf-16"))).text == SAMPLE


def test_file_at_the_limit_is_read(tmp_path):
    data = SAMPLE.encode("utf-8")
    assert read_one(write(tmp_path, data), max_bytes=len(data)).text == SAMPLE


# ------------------------------------------------------------------------ refused input


@pytest.mark.parametrize("data", [b"", b" \n\t\r\n  "])
def test_empty_file(tmp_path, data):
    path = write(tmp_path, data)
    error = refusal(path)
    assert error.problem.path == str(path) and error.problem.line == 0
    assert "empty file" in str(error)


def test_five_megabyte_article_is_refused_with_size_and_limit(tmp_path):
    path = tmp_path / "huge.txt"
    line = ("ข่าวยาวมาก " * 100 + "\n").encode("utf-8")
    path.write_bytes(line * (5_000_000 // len(line) + 1))
    size = path.stat().st_size
    error = refusal(path)
    assert str(path) in str(error)
    assert f"{size:,} bytes" in str(error) and "2,000,000 bytes" in str(error)
    assert "too large" in str(error)


def test_binary_file_with_nul_bytes(tmp_path):
    path = write(tmp_path, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")
    error = refusal(path)
    assert "looks like a binary file" in str(error) and str(path) in str(error)


def test_binary_file_with_many_control_characters(tmp_path):
    path = write(tmp_path, bytes(range(1, 32)) * 10 + b"text")
    assert "looks like a binary file" in str(refusal(path))


def test_undecodable_byte_gives_offset_and_line(tmp_path):
    path = write(tmp_path, b"first line\nsecond \xff line\n")
    error = refusal(path)
    assert error.problem.line == 2
    assert "byte 0xFF at byte offset 18 (line 2)" in str(error)
    assert str(error).startswith(f"{path}:2: ")


def test_broken_utf8_in_thai_text_is_not_mistaken_for_cp874(tmp_path):
    data = SAMPLE.encode("utf-8")
    bad = data[:9] + b"\xe0" + data[9:]  # a lead byte with no continuation, at a boundary
    error = refusal(write(tmp_path, bad))
    assert "byte 0xE0 at byte offset 9 (line 1)" in str(error)


def test_latin1_text_is_not_taken_for_thai(tmp_path):
    path = write(tmp_path, "Le café était déjà fermé à Genève.\n".encode("latin-1"))
    assert "not valid UTF-8" in str(refusal(path))


def test_bad_utf8_after_bom_is_refused(tmp_path):
    error = refusal(write(tmp_path, encoding.UTF8_BOM + b"abc\n\xe0\xb8"))
    assert "byte offset 7 (line 2)" in str(error)


def test_missing_file_is_a_file_error(tmp_path):
    assert "cannot read" in str(refusal(tmp_path / "nope.txt"))


def test_decode_keeps_text_exactly():
    text = "a\r\nb\rc\n\u200bไทย 🙂"
    assert encoding.decode(text.encode("utf-8"), "x") == text

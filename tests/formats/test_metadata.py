"""Title / date / URL extraction from article texts (our own samples, thaigov layout)."""

from __future__ import annotations


import pytest

from annotator.formats import metadata

BODY = (
    "วันนี้ (3 ม.ค. 67) นายสมศักดิ์ ใจงาม รองนายกรัฐมนตรี ตรวจเยี่ยมศูนย์ข้อมูลเมืองขอนแก่น\n"
    "โดยเมื่อวันที่ 2 มกราคม 2567 ได้หารือกับผู้ว่าราชการจังหวัดแล้ว\n"
)

THAIGOV = (
    "รัฐบาลไทย-ข่าวทำเนียบรัฐบาล-รองนายกฯ ตรวจเยี่ยมเมืองอัจฉริยะ ขอนแก่น\n"
    "\n"
    "\n"
    "วันพุธที่ 3 มกราคม 2567\n"
    "รองนายกฯ ตรวจเยี่ยมเมืองอัจฉริยะ ขอนแก่น\n"
    "รองนายกฯ ตรวจเยี่ยมเมืองอัจฉริยะ ขอนแก่น\n" + BODY + "_______________\n"
    "\n"
    "ที่มา : https://www.thaigov.go.th/news/contents/details/99999"
)


def test_thaigov_layout():
    assert metadata.extract(THAIGOV) == {
        "title": "รองนายกฯ ตรวจเยี่ยมเมืองอัจฉริยะ ขอนแก่น",
        "date": "2024-01-03",
        "date_text": "วันพุธที่ 3 มกราคม 2567",
        "url": "https://www.thaigov.go.th/news/contents/details/99999",
    }


def test_crlf_text():
    meta = metadata.extract(THAIGOV.replace("\n", "\r\n"))
    assert meta["title"] == "รองนายกฯ ตรวจเยี่ยมเมืองอัจฉริยะ ขอนแก่น"
    assert meta["date_text"] == "วันพุธที่ 3 มกราคม 2567"
    assert meta["url"].endswith("/99999")


def test_press_release_with_thai_digits_and_gregorian_year():
    text = "“ซิป้า” จับมือเมืองพี่เมืองน้อง\n\nอังคาร ๒๖ มกราคม ๒๐๑๖ ๑๔:๔๑\n" + BODY
    meta = metadata.extract(text)
    assert meta == {
        "title": "“ซิป้า” จับมือเมืองพี่เมืองน้อง",
        "date": "2016-01-26",
        "date_text": "อังคาร ๒๖ มกราคม ๒๐๑๖ ๑๔:๔๑",
    }


@pytest.mark.parametrize(
    "line, iso",
    [
        ("วันจันทร์ที่ 18 ธันวาคม 2566", "2023-12-18"),
        ("วันพฤหัสบดีที่ 29 กุมภาพันธ์ 2567", "2024-02-29"),
        ("๑๔ มีนาคม ๒๕๖๗", "2024-03-14"),
        ("18 ธ.ค. 66", "2023-12-18"),
        ("18 ธ.ค.66", "2023-12-18"),
        ("1 ม.ค 2567", "2024-01-01"),
        ("วันที่ 5 เม.ย. 2563", "2020-04-05"),
        ("5 เมษายน พ.ศ. 2563", "2020-04-05"),
        ("5 เมษายน ค.ศ. 2020", "2020-04-05"),
        ("ศุกร์ 5 มิถุนายน 2020 เวลา 10.30 น.", "2020-06-05"),
        ("25/07/2566", "2023-07-25"),
        ("  วันเสาร์ที่ 1 สิงหาคม 2563  ", "2020-08-01"),
    ],
)
def test_date_lines(line, iso):
    assert metadata.parse_date(line) == iso


@pytest.mark.parametrize(
    "line",
    [
        "วันที่ 31 กุมภาพันธ์ 2566",  # no such day
        "เมื่อวันที่ 2 มกราคม 2567 ได้หารือกับผู้ว่าราชการ",  # a date inside a sentence
        "ประชุม 3 มกราคม",  # no year
        "3 Januar 2567",
        "",
    ],
)
def test_not_date_lines(line):
    assert metadata.parse_date(line) is None


def test_date_in_body_is_not_the_article_date():
    meta = metadata.extract("หัวข้อข่าว\n" + BODY)
    assert meta == {"title": "หัวข้อข่าว"}


def test_no_title_when_the_first_line_is_the_date():
    meta = metadata.extract("วันพุธที่ 3 มกราคม 2567\n" + BODY)
    assert "title" not in meta and meta["date"] == "2024-01-03"


def test_speech_titled_by_its_date_keeps_that_title():
    text = "รัฐบาลไทย-ข่าวทำเนียบรัฐบาล-19 พฤษภาคม 2560\n\nวันจันทร์ที่ 22 พฤษภาคม 2560\n" + BODY
    meta = metadata.extract(text)
    assert meta["title"] == "19 พฤษภาคม 2560" and meta["date"] == "2017-05-22"


def test_bare_site_prefix_is_not_a_title():
    text = "รัฐบาลไทย-\n\nวันพุธที่ 3 มกราคม 2567\n\nที่มา : http://www.thaigov.go.th/news/1\n"
    meta = metadata.extract(text)
    assert "title" not in meta
    assert meta["url"] == "http://www.thaigov.go.th/news/1"


def test_paragraph_is_not_a_title():
    assert "title" not in metadata.extract("สวัสดีครับ " * 100 + "\n" + BODY)


def test_invisible_characters_are_stripped_from_the_title():
    assert metadata.extract("\u200b หัวข้อข่าว \u200b\n")["title"] == "หัวข้อข่าว"


def test_source_without_url_gives_no_url():
    assert "url" not in metadata.extract("หัวข้อ\n" + BODY + "ที่มา : กระทรวงการคลัง\n")


def test_only_the_head_and_tail_are_scanned():
    filler = "เนื้อข่าว\n" * 60
    text = (
        "หัวข้อ\n" + filler + "วันพุธที่ 3 มกราคม 2567\n"
        "ที่มา : https://example.org/a\n" + filler
    )
    assert metadata.extract(text) == {"title": "หัวข้อ"}


def test_empty_text():
    assert metadata.extract("") == {}
    assert metadata.extract("\n\n  \n") == {}

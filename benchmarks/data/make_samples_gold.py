"""Writes samples-gold.jsonl: a hand-made gold for resources/samples/ (our own demo texts).

    python benchmarks/data/make_samples_gold.py

Each entity is given by its text and label (every occurrence, unless occurrence numbers are
given), so the offsets follow the files. Conventions, close to ThaiNER's: a person's title or
rank is part of the name (นาย, ดร., พลอากาศตรี); a date includes วัน…ที่ / วันที่ / ปี / เดือน
when written; durations (3 ปี, 15 นาที) and relative dates (ปีก่อน) are not entities; a
named venue is a LOCATION; ไทย the country is a LOCATION; an organisation's abbreviation
is its own ORGANIZATION; the page's breadcrumb (รัฐบาลไทย-ข่าวทำเนียบรัฐบาล-) is not labelled.
The text of each record is the file's text exactly, as ``annotator import`` keeps it.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "resources" / "samples"
OUT = Path(__file__).resolve().parent / "samples-gold.jsonl"

P, O, L, D, T, M, C, PH, U, E, LEN = ("PERSON", "ORGANIZATION", "LOCATION", "DATE", "TIME", "MONEY",
                                      "PERCENT", "PHONE", "URL", "EMAIL", "LEN")

GOLD = {
    "01_smart_city_platform.txt": [
        ("สสอช.", O), ("วันอังคารที่ 14 มกราคม 2568", D), ("นายธนกฤต วงศ์ประเสริฐ", P),
        ("สำนักงานส่งเสริมเมืองอัจฉริยะแห่งชาติ", O), ("วันที่ 13 มกราคม 2568", D),
        ("บริษัท สยามดาต้าลิงก์ จำกัด", O), ("จังหวัดขอนแก่น", L), ("ภูเก็ต", L), ("เชียงใหม่", L),
        ("ระยอง", L), ("นครราชสีมา", L), ("450 ล้านบาท", M), ("ร้อยละ 15", C), ("ปี 2570", D), ("12%", C),
        ("นางสาวพิมพ์ชนก ศรีวัฒนา", P), ("วันที่ 22 กุมภาพันธ์ 2568", D), ("09.00 น.", T),
        ("ศูนย์ประชุมมหาวิทยาลัยขอนแก่น", L), ("02 141 7788", PH), ("https://demo.example/news/1001", U),
    ],
    "02_digital_economy_outlook.txt": [
        ("ไทย", L, (1, 2, 3)), ("ปี 2568", D), ("ร้อยละ 9.5", C), ("วันศุกร์ที่ 7 กุมภาพันธ์ 2568", D),
        ("ดร.วิไลวรรณ ทองคำ", P), ("สำนักงานพัฒนาเศรษฐกิจดิจิทัลภูมิภาค", O), ("สพดภ.", O),
        ("กรุงเทพมหานคร", L), ("วันที่ 6 กุมภาพันธ์ 2568", D), ("ปี 2567", D), ("3.2 ล้านล้านบาท", M),
        ("ร้อยละ 17", C), ("980,000 ล้านบาท", M), ("14.2%", C), ("ภาคเหนือ", L),
        ("ภาคตะวันออกเฉียงเหนือ", L), ("ธนาคารเพื่อการพัฒนาวิสาหกิจท้องถิ่น", O), ("5,000 ล้านบาท", M),
        ("200,000 บาท", M), ("วันที่ 1 มีนาคม", D), ("30 มิถุนายน 2568", D), ("นายกิตติพัฒน์ แสงอรุณ", P),
        ("สมาคมผู้ค้าออนไลน์ไทย", O), ("https://demo.example/news/1002", U),
    ],
    "03_digital_id_services.txt": [
        ("วันจันทร์ที่ 3 มีนาคม 2568", D), ("นายอนุชิต พรหมมา", P), ("สำนักงานบริการภาครัฐอิเล็กทรอนิกส์", O),
        ("สบอ.", O), ("วันที่ 28 กุมภาพันธ์ 2568", D), ("ร้อยละ 38", C), ("1,850 ล้านบาท", M),
        ("จังหวัดนนทบุรี", L), ("นางสาวสุภาวดี ใจกว้าง", P), ("อำเภอปากเกร็ด", L), ("เดือนเมษายน 2568", D),
        ("1111", PH), ("02 026 5599", PH), ("https://demo.example/news/1003", U),
    ],
    "04_smart_farming_5g.txt": [
        ("สุพรรณบุรี", L, (0, 1)), ("วันพุธที่ 19 มีนาคม 2568", D), ("ศาสตราจารย์ ดร.ปิยะพงษ์ เรืองศรี", P),
        ("ศูนย์วิจัยเกษตรดิจิทัล", O), ("มหาวิทยาลัยเทคโนโลยีสุวรรณภูมิตะวันตก", O), ("อำเภออู่ทอง", L),
        ("จังหวัดสุพรรณบุรี", L), ("วันที่ 18 มีนาคม 2568", D), ("บริษัท ไทยคอนเน็กต์ โมบาย จำกัด (มหาชน)", O),
        ("ร้อยละ 22", C), ("30%", C), ("86.5 ล้านบาท", M), ("กองทุนพัฒนาเทคโนโลยีเพื่อชนบท", O),
        ("จังหวัดชัยนาท", L), ("อ่างทอง", L), ("ปีงบประมาณ 2569", D), ("3 กิโลเมตร", LEN),
        ("นางบุญเรือน มีสุข", P), ("วิสาหกิจชุมชนข้าวหอมอู่ทอง", O), ("https://demo.example/news/1004", U),
    ],
    "05_cyber_skills.txt": [
        ("วันเสาร์ที่ 5 เมษายน 2568", D), ("พลอากาศตรี สมศักดิ์ ดวงแก้ว", P),
        ("ศูนย์ประสานการรักษาความปลอดภัยไซเบอร์ภาครัฐ", O), ("ศปภ.", O), ("ปี 2567", D), ("ร้อยละ 27", C),
        ("740 ล้านบาท", M), ("มูลนิธิพัฒนาทักษะดิจิทัลเยาวชน", O), ("วันที่ 12-16 พฤษภาคม 2568", D),
        ("จังหวัดชลบุรี", L), ("500,000 บาท", M), ("วันที่ 25 เมษายน 2568", D), ("23.59 น.", T),
        ("https://demo.example/cyber-camp", U), ("camp@demo.example", E), ("081 234 5678", PH),
        ("10.00 - 17.00 น.", T), ("https://demo.example/news/1005", U),
    ],
}


def occurrences(text: str, needle: str) -> list[int]:
    out, i = [], text.find(needle)
    while i >= 0:
        out.append(i)
        i = text.find(needle, i + 1)
    return out


def spans_of(text: str, items) -> list[dict]:
    spans = []
    for item in items:
        needle, label = item[0], item[1]
        found = occurrences(text, needle)
        if not found:
            raise SystemExit(f"not in the text: {needle!r}")
        picked = [found[i] for i in item[2]] if len(item) > 2 else found
        spans += [{"start": s, "end": s + len(needle), "label": label, "state": "accepted"} for s in picked]
    spans.sort(key=lambda s: (s["start"], s["end"]))
    for a, b in itertools.pairwise(spans):
        if b["start"] < a["end"]:
            raise SystemExit(f"overlap: {text[a['start']:a['end']]!r} and {text[b['start']:b['end']]!r}")
    return spans


def main() -> None:
    with open(OUT, "w", encoding="utf-8", newline="\n") as fh:
        for name, items in GOLD.items():
            text = (SAMPLES / name).read_text(encoding="utf-8")
            record = {"text": text, "meta": {"source": f"resources/samples/{name}"}, "spans": spans_of(text, items)}
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()

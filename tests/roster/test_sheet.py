"""The class sign-in sheet: every student's card, with a QR code that holds exactly the sign-in
address and their pass, in any script, in English and Spanish."""

import contextlib
import io
from datetime import UTC, datetime
from pathlib import Path

import pypdf
import zxingcpp
from django.core.management import call_command

from sspr.roster import sheet
from sspr.roster.sheet import Fonts, SheetRow, class_sheet_pdf, find_fonts, grouped, qr_payload

SIGNIN = "https://sspr.test/signin/pass/"
EXPIRES = datetime(2026, 12, 8, 15, 30, tzinfo=UTC)
STUDENTS = [
    SheetRow("María García", "mgarcia2201@student.district.example", "K7QM4TXZ9PWA", EXPIRES),
    SheetRow("Nguyễn Thị Ngọc Ánh", "nanh4421@student.district.example", "H3JD8RPL2QVE", EXPIRES),
    SheetRow("Chris Smith", "csmith1234@student.district.example", "A2B3C4D5E6F7", EXPIRES),
]


def read(pdf: bytes):
    assert pdf.startswith(b"%PDF-")
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    codes = [result.text for page in reader.pages for image in page.images
             for result in zxingcpp.read_barcodes(image.image)]
    return reader, text, codes


def test_the_qr_code_holds_the_address_with_the_user_id_and_pass_in_its_fragment():
    assert qr_payload(SIGNIN, "mgarcia2201@student.district.example", "K7QM4TXZ9PWA") == (
        "https://sspr.test/signin/pass/#user=mgarcia2201%40student.district.example&pass=K7QM4TXZ9PWA")
    assert qr_payload(SIGNIN + "#old", "a b&c", "x=y+z") == "https://sspr.test/signin/pass/#user=a+b%26c&pass=x%3Dy%2Bz"


def test_passes_are_printed_in_groups_of_four_when_they_are_letters_and_digits():
    assert grouped("K7QM4TXZ9PWA") == "K7QM 4TXZ 9PWA"
    assert grouped("K7QM4TX") == "K7QM 4TX"
    assert grouped("correct-horse") == "correct-horse"


def test_every_student_has_a_card_with_a_qr_code_that_signs_them_in():
    reader, text, codes = read(class_sheet_pdf("Algebra II", "Lincoln High School", STUDENTS, signin_url=SIGNIN,
                                               language="en"))
    assert len(reader.pages) == 1
    assert sorted(codes) == sorted(qr_payload(SIGNIN, row.user_id, row.pass_code) for row in STUDENTS)
    for row in STUDENTS:
        assert row.display_name in text   # the Vietnamese name too, drawn in an embedded font
        assert row.user_id in text
        assert grouped(row.pass_code) in text
    assert "Algebra II" in text and "Lincoln High School" in text
    assert f"go to {SIGNIN} and type your user ID and pass" in text
    assert "Expires" in text and "Dec. 8, 2026" in text


def test_a_class_fills_as_few_pages_as_it_needs():
    rows = [SheetRow(f"Student {n}", f"s{n}@student.district.example", f"PASS{n:08d}", EXPIRES) for n in range(17)]
    reader, text, codes = read(class_sheet_pdf("Biology", "Lincoln High School", rows, signin_url=SIGNIN,
                                               language="en", paper="A4"))
    assert len(reader.pages) == 3  # eight cards a page
    assert len(codes) == 17
    assert "Page 3 of 3" in text
    assert round(float(reader.pages[0].mediabox.height) / 72 * 25.4) == 297


def test_the_paper_follows_the_country_unless_asked(settings):
    assert sheet.paper_for("US") == "Letter" and sheet.paper_for("ES") == "A4"
    reader, _, _ = read(class_sheet_pdf("Biology", "", STUDENTS[:1], signin_url=SIGNIN, language="en"))
    assert round(float(reader.pages[0].mediabox.height) / 72 * 25.4, 1) == 279.4  # server.country is US


def test_the_sheet_is_in_spanish_when_asked():
    _, text, _ = read(class_sheet_pdf("Álgebra II", "Escuela Lincoln", STUDENTS, signin_url=SIGNIN, language="es"))
    assert "Id. de usuario" in text and "Caduca" in text and "diciembre de 2026" in text
    assert "Escanee el código" in text


def test_an_empty_class_still_gets_a_page_saying_so():
    reader, text, codes = read(class_sheet_pdf("Art", "Lincoln High School", [], signin_url=SIGNIN, language="en"))
    assert len(reader.pages) == 1 and codes == []
    assert "No students in this class." in text


def test_without_dejavu_the_shipped_font_draws_every_name():
    fonts = find_fonts(folders=[])
    assert fonts.regular is None and fonts.fallback is not None
    _, text, codes = read(class_sheet_pdf("Algebra II", "Lincoln", STUDENTS, signin_url=SIGNIN, language="en",
                                          fonts=fonts))
    assert "Nguyễn Thị Ngọc Ánh" in text and len(codes) == 3
    assert "monospaced" in sheet.sheet_warnings(fonts)[0]


def test_without_any_unicode_font_names_are_simplified_not_lost():
    fonts = Fonts(None, None, None)
    _, text, codes = read(class_sheet_pdf("Algebra II — Period 2", "Lincoln", STUDENTS, signin_url=SIGNIN,
                                          language="es", fonts=fonts))
    assert "Nguyen Thi Ngoc Ánh" in text and "María García" in text
    assert "Algebra II - Period 2" in text
    assert sorted(codes) == sorted(qr_payload(SIGNIN, row.user_id, row.pass_code) for row in STUDENTS)
    assert "simplified" in sheet.sheet_warnings(fonts)[0]


def test_sspr_check_says_which_font_the_sheets_use(monkeypatch, db):
    assert sheet.sheet_warnings(Fonts(Path("DejaVuSans.ttf"), None, None)) == []
    monkeypatch.setattr(sheet, "FONT_FOLDERS", [])
    err = io.StringIO()
    with contextlib.suppress(SystemExit):  # whatever else the test configuration lacks
        call_command("check_setup", stdout=io.StringIO(), stderr=err)
    assert "warning: class sign-in sheets: DejaVu Sans is not installed" in err.getvalue()

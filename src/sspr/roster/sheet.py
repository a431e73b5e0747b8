"""The class sign-in sheet: a PDF of cut-out cards, one per student, each with the student's
name, user ID, temporary pass and its end, and a QR code that signs them in.

The QR code carries the sign-in address with the user ID and pass in its fragment
(`https://.../signin/pass/#user=...&pass=...`): browsers never send a fragment to the server, so
the pass reaches no access log; the sign-in page reads it with a small script.

Names may be in any script, so the text is drawn in an embedded Unicode font: DejaVu Sans when
the system has it (Debian: fonts-dejavu-core, which scripts/install-system-packages installs),
else Droid Sans Mono, which the `captcha` package ships; with neither, the PDF's own Helvetica,
with the letters it lacks simplified ("Nguyễn" becomes "Nguyen"). `sspr check` says which.
"""

import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos

# Where systems keep DejaVu Sans: Debian and Ubuntu, Fedora and Alpine, Arch.
FONT_FOLDERS = [Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"), Path("/usr/share/fonts/TTF")]
REGULAR, BOLD = "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"
# Countries that print on US Letter rather than A4.
LETTER_COUNTRIES = {"US", "CA", "MX", "PR", "PH", "CL", "CO", "VE", "GT", "CR", "PA", "DO", "SV", "NI", "HN"}

COLUMNS, ROWS = 2, 4
MARGIN, GAP, PAD = 8.0, 4.0, 3.5   # millimetres
HEADER, FOOTER = 27.0, 8.0
QR_SIZE = 28.0
GREY, INK = (110, 110, 110), (0, 0, 0)


@dataclass(frozen=True)
class SheetRow:
    display_name: str
    user_id: str
    pass_code: str
    expires: datetime


@dataclass(frozen=True)
class Fonts:
    regular: Path | None     # DejaVu Sans
    bold: Path | None
    fallback: Path | None    # Droid Sans Mono, from the captcha package

    @property
    def unicode(self) -> bool:
        return bool(self.regular or self.fallback)


def find_fonts(folders: Sequence[Path] | None = None) -> Fonts:
    regular = bold = None
    for folder in FONT_FOLDERS if folders is None else folders:
        if (folder / REGULAR).is_file():
            regular = folder / REGULAR
            bold = folder / BOLD if (folder / BOLD).is_file() else None
            break
    fallback: Path | None = None
    try:
        shipped = resources.files("captcha") / "data" / "DroidSansMono.ttf"
        fallback = Path(str(shipped)) if shipped.is_file() else None
    except ModuleNotFoundError:
        pass
    return Fonts(regular, bold, fallback)


def sheet_warnings(fonts: Fonts | None = None) -> list[str]:
    """Plain lines for `sspr check`."""
    fonts = fonts or find_fonts()
    if fonts.regular:
        return []
    if fonts.fallback:
        return ["class sign-in sheets: DejaVu Sans is not installed (Debian: apt-get install fonts-dejavu-core), so "
                "names are printed in a monospaced font"]
    return ["class sign-in sheets: no Unicode font found (Debian: apt-get install fonts-dejavu-core), so letters "
            "outside Western European alphabets are simplified (Nguyễn is printed Nguyen)"]


def qr_payload(signin_url: str, user_id: str, pass_code: str) -> str:
    """What a student's QR code holds: the sign-in address, the user ID and pass in its fragment."""
    return signin_url.split("#", 1)[0] + "#" + urlencode({"user": user_id, "pass": pass_code})


def grouped(pass_code: str) -> str:
    """The pass as printed: letters and digits in groups of four, easier to read and type back."""
    if not re.fullmatch(r"[A-Za-z0-9]{6,}", pass_code):
        return pass_code
    return " ".join(pass_code[i:i + 4] for i in range(0, len(pass_code), 4))


def paper_for(country: str) -> str:
    return "Letter" if country in LETTER_COUNTRIES else "A4"


def _qr_png(payload: str) -> io.BytesIO:
    out = io.BytesIO()
    segno.make(payload, error="m", micro=False).save(out, kind="png", scale=8, border=2)
    out.seek(0)
    return out


class _Sheet(FPDF):
    def __init__(self, *, paper: str, fonts: Fonts, title: str, school: str, instruction: str):
        super().__init__(orientation="portrait", unit="mm", format=paper)
        self.sheet_title, self.school, self.instruction = title, school, instruction
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(False)
        self.unicode = fonts.unicode
        self.family = "helvetica"
        if fonts.unicode:
            self.family = "sheet"
            main = fonts.regular or fonts.fallback
            self.add_font(self.family, "", main)
            self.add_font(self.family, "B", fonts.bold or main)
            if fonts.regular and fonts.fallback:  # a letter DejaVu lacks, Droid may have
                self.add_font("fallback", "", fonts.fallback)
                self.add_font("fallback", "B", fonts.fallback)
                self.set_fallback_fonts(["fallback"], exact_match=False)

    def plain(self, text: str) -> str:
        """The text as the font can draw it (precomposed letters; simplified for Helvetica)."""
        text = unicodedata.normalize("NFC", text)
        if self.unicode:
            return text
        text = text.replace("—", "-").replace("–", "-").replace("…", "...").replace("’", "'")
        out = []
        for char in text:
            try:
                char.encode("latin-1")
                out.append(char)
            except UnicodeEncodeError:
                bare = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
                out.append(bare if bare.isascii() and bare else "?")
        return "".join(out)

    def fit(self, text: str, width: float, largest: float, smallest: float, style: str = "",
            family: str | None = None) -> str:
        """Choose the largest size at which text fits in width; shorten it if it never does."""
        family = family or self.family
        size = largest
        while True:
            self.set_font(family, style, size)
            if self.get_string_width(text) <= width or size <= smallest:
                break
            size -= 0.5
        ellipsis, base = ("…" if self.unicode and family == self.family else "..."), text
        while self.get_string_width(text) > width and base:
            base = base[:-1]
            text = base.rstrip() + ellipsis
        return text

    def header(self):
        width = self.w - 2 * MARGIN
        self.set_xy(MARGIN, MARGIN)
        self.set_text_color(*INK)
        self.cell(width, 8, self.fit(self.plain(self.sheet_title), width, 16, 10, "B"),
                  new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(self.family, "", 10)
        self.cell(width, 6, self.plain(self.school), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(self.family, "", 9)
        self.set_text_color(*GREY)
        self.multi_cell(width, 4.5, self.plain(self.instruction), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def footer(self):
        self.set_xy(MARGIN, self.h - MARGIN - 4)
        self.set_font(self.family, "", 7.5)
        self.set_text_color(*GREY)
        width = self.w - 2 * MARGIN
        self.cell(width * 0.75, 4, self.plain(_("Cut along the dashed lines. Each card is for one student only.")))
        self.cell(width * 0.25, 4, self.plain(_("Page %(page)s of %(pages)s") % {
            "page": self.page_no(), "pages": self.str_alias_nb_pages}), align="R")

    def card(self, x: float, y: float, w: float, h: float, row: SheetRow, signin_url: str) -> None:
        self.set_draw_color(*GREY)
        self.set_line_width(0.2)
        with self.local_context():
            self.set_dash_pattern(dash=1.5, gap=1.5)
            self.rect(x, y, w, h)
        inner = w - 2 * PAD
        left, top = x + PAD, y + PAD
        self.set_text_color(*INK)
        self.set_xy(left, top)
        self.cell(inner, 7, self.fit(self.plain(row.display_name or row.user_id), inner, 14, 8, "B"),
                  new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.label(left, self.get_y() + 0.5, _("User ID"))
        self.set_xy(left, self.get_y())
        self.set_text_color(*INK)
        self.cell(inner, 5.5, self.fit(self.plain(row.user_id), inner, 11, 6.5))
        below = self.get_y() + 6.5
        qr = min(QR_SIZE, y + h - PAD - below)
        self.image(_qr_png(qr_payload(signin_url, row.user_id, row.pass_code)), x=x + w - PAD - qr, y=below,
                   w=qr, h=qr, alt_text=self.plain(_("QR code that signs in %(user_id)s") % {"user_id": row.user_id}))
        column = inner - qr - 2
        self.label(left, below, _("Temporary pass"))
        self.set_xy(left, below + 3.5)
        self.set_text_color(*INK)
        shown = grouped(row.pass_code)
        mono = "courier" if self.plain(shown) == shown and shown.isascii() else self.family
        self.cell(column, 8, self.fit(shown, column, 16, 8, "B", family=mono), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.label(left, self.get_y() + 1, _("Expires"))
        self.set_xy(left, self.get_y())
        self.set_text_color(*INK)
        self.set_font(self.family, "", 8.5)
        self.multi_cell(column, 4, self.plain(_when(row.expires)))

    def label(self, x: float, y: float, text: str) -> None:
        self.set_xy(x, y)
        self.set_font(self.family, "", 7)
        self.set_text_color(*GREY)
        self.cell(0, 3, self.plain(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _when(moment: datetime) -> str:
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return formats.date_format(moment, "DATETIME_FORMAT")


def class_sheet_pdf(title: str, school: str, rows: list[SheetRow], *, signin_url: str, language: str,
                    paper: str | None = None, fonts: Fonts | None = None) -> bytes:
    """A class's sign-in sheet: 8 cards a page, in the order of rows, as few pages as needed.
    `paper` is "A4" or "Letter" (by default, Letter in the countries that use it, by
    server.country); `fonts` is for tests (by default, find_fonts())."""
    with translation.override(language):
        today = formats.date_format(timezone.localdate(), "DATE_FORMAT")
        pdf = _Sheet(
            paper=paper or paper_for(settings.CONFIG.server.country), fonts=fonts or find_fonts(), title=title,
            school=f"{school} · {today}" if school else today,
            instruction=_("Scan the code with a phone or tablet, or go to %(url)s and type your user ID and pass.")
            % {"url": signin_url.split("#", 1)[0]})
        pdf.set_title(f"{title} — {school}" if school else title)
        pdf.set_lang(language)
        pdf.set_creator("OpenSSPR")
        width = (pdf.w - 2 * MARGIN - (COLUMNS - 1) * GAP) / COLUMNS
        height = (pdf.h - 2 * MARGIN - HEADER - FOOTER - (ROWS - 1) * GAP) / ROWS
        if not rows:
            pdf.add_page()
            pdf.set_xy(MARGIN, MARGIN + HEADER)
            pdf.set_font(pdf.family, "", 11)
            pdf.cell(0, 8, pdf.plain(_("No students in this class.")))
        for index, row in enumerate(rows):
            place = index % (COLUMNS * ROWS)
            if place == 0:
                pdf.add_page()
            column, line = place % COLUMNS, place // COLUMNS
            pdf.card(MARGIN + column * (width + GAP), MARGIN + HEADER + line * (height + GAP), width, height,
                     row, signin_url)
        return bytes(pdf.output())

"""A sheet as spreadsheet programs save it: Excel's plain "CSV" on Windows is Windows text, not UTF-8;
where the decimal mark is a comma it separates columns with semicolons; "Unicode Text" is UTF-16 with tabs.
Each imports as the person typed it, and the format read is said; a file that is no text is refused whole."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from sqlalchemy import func, select

from constituent.crm.contacts.models import Contact
from constituent.crm.imports.importer import import_csv
from constituent.crm.imports.preview import preview
from constituent.crm.imports.source import FileFormat, ImportFileError, scan
from tests.conftest import TestDatabase

ROWS = ("Zoë,Müller,zoe@mailbox.org,75011", "José,Peña,jose@mailbox.org,28004")
HEADER = "First Name,Last Name,Email,Zip"


def _sheet(tmp_path: Path, content: bytes, name: str = "sheet.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def _text(delimiter: str = ",") -> str:
    return "\r\n".join(line.replace(",", delimiter) for line in (HEADER, *ROWS)) + "\r\n"


def _names(db: TestDatabase) -> list[tuple[str, str, str]]:
    with db.sessions() as session:
        rows = session.execute(
            select(Contact.first_name, Contact.last_name, Contact.postal_code).order_by(Contact.id)
        )
        return [(first or "", last or "", postal or "") for first, last, postal in rows]


STORED = [("Zoë", "Müller", "75011"), ("José", "Peña", "28004")]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (_text().encode("cp1252"), FileFormat("cp1252", ",")),
        (_text(";").encode("cp1252"), FileFormat("cp1252", ";")),
        (codecs.BOM_UTF8 + _text(";").encode(), FileFormat("utf-8-sig", ";")),
        (_text("\t").encode("utf-16"), FileFormat("utf-16", "\t")),
        (_text().encode(), FileFormat("utf-8-sig", ",")),
    ],
    ids=["windows-commas", "windows-semicolons", "utf8-bom-semicolons", "unicode-text-tabs", "utf8-commas"],
)
def test_a_sheet_in_any_format_a_spreadsheet_saves_imports_as_typed(
    db: TestDatabase, tmp_path: Path, content: bytes, expected: FileFormat
) -> None:
    path = _sheet(tmp_path, content)

    result = import_csv(db.sessions, path)

    assert (result.created, result.rejected, result.file_format) == (2, [], expected)
    assert _names(db) == STORED
    assert result.as_dict()["read_as"] == expected.described()


def test_the_format_read_is_said_in_plain_words() -> None:
    assert FileFormat("cp1252", ";").described() == "Read as Windows text, columns separated by semicolons"
    assert (
        FileFormat("utf-16", "\t").described() == "Read as Unicode (UTF-16) text, columns separated by tabs"
    )
    assert FileFormat().usual and not FileFormat("cp1252", ",").usual


def test_the_preview_reads_the_file_as_the_import_will(tmp_path: Path) -> None:
    path = _sheet(tmp_path, _text(";").encode("cp1252"))

    shown = preview(path)

    assert shown.header == ["First Name", "Last Name", "Email", "Zip"]
    assert shown.file_format == FileFormat("cp1252", ";")
    assert [(row.values["first_name"], row.values["last_name"]) for row in shown.rows] == [
        ("Zoë", "Müller"),
        ("José", "Peña"),
    ]


def test_separators_inside_quoted_column_names_do_not_decide(tmp_path: Path) -> None:
    path = _sheet(tmp_path, b'"Name, first, given";Email\r\nAna;ana@mailbox.org\r\n')

    assert scan(path).format == FileFormat("utf-8-sig", ";")


def test_a_one_column_sheet_is_read_with_commas(tmp_path: Path) -> None:
    assert scan(_sheet(tmp_path, b"Email\nana@mailbox.org\n")).format == FileFormat()


def test_the_last_line_decides_the_encoding_too(db: TestDatabase, tmp_path: Path) -> None:
    """UTF-8 for 1 MB and more, then one Windows "ë": the whole file is Windows text, so nothing is
    imported in the wrong encoding before the byte that tells."""
    padding = "".join(f"P{n},Row,p{n}@mailbox.org,{n:05}\r\n" for n in range(30_000))
    content = (HEADER + "\r\n" + padding).encode() + "Zoë,Müller,zoe@mailbox.org,75011\r\n".encode("cp1252")
    path = _sheet(tmp_path, content)
    assert path.stat().st_size > 1 << 20

    scanned = scan(path)

    assert (scanned.format, scanned.lines) == (FileFormat("cp1252", ","), 30_002)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        # 0x81 is no character in Windows text, and not UTF-8 where it stands.
        (HEADER.encode() + b"\r\nAna,Lima,ana@mailbox.org,\x81\r\n", "not UTF-8 or Windows text"),
        # Saved as UTF-8 (the mark says so), then a byte that is not: not read as anything else.
        (codecs.BOM_UTF8 + HEADER.encode() + b"\r\nZo\xeb,M,zoe@mailbox.org,1\r\n", "not UTF-8 text"),
    ],
    ids=["neither", "utf8-marked"],
)
def test_a_file_that_is_not_text_imports_nothing_and_says_where(
    db: TestDatabase, tmp_path: Path, content: bytes, message: str
) -> None:
    path = _sheet(tmp_path, content)

    with pytest.raises(
        ImportFileError, match=f"{message} \\(bad byte at offset \\d+\\); save it as UTF-8 CSV"
    ):
        import_csv(db.sessions, path)
    problem = preview(path).problem
    assert problem.startswith(f"The file cannot be read as a spreadsheet saved as CSV ({message}")
    assert str(tmp_path) not in problem, "the server's path is not shown on the page"
    with db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Contact)) == 0


# -- a title above the column names ------------------------------------------------------------------

TITLED = "Sign-up sheet - March rally,,,\r\n,,,\r\nTaken by Ana,3/14/2026,,\r\n" + HEADER + "\r\n"


def test_a_title_and_blank_lines_above_the_column_names_are_left_out(
    db: TestDatabase, tmp_path: Path
) -> None:
    path = _sheet(tmp_path, (TITLED + "\r\n".join(ROWS) + "\r\nBo,Diaz,not-an-email,1\r\n").encode())

    result = import_csv(db.sessions, path)

    assert (result.created, result.header_line) == (2, 4)
    assert [(r.line, r.error.split(":")[0]) for r in result.rejected] == [(7, "email")]  # its physical line
    assert _names(db) == STORED
    assert result.as_dict()["header_line"] == 4


def test_the_preview_starts_at_the_column_names_too(tmp_path: Path) -> None:
    path = _sheet(tmp_path, (TITLED + "\r\n".join(ROWS) + "\r\n").encode())

    shown = preview(path)

    assert (shown.header, shown.header_line, shown.problem) == (HEADER.split(","), 4, "")
    assert [row.line for row in shown.rows] == [5, 6]


@pytest.mark.parametrize(
    ("content", "blamed"),
    [
        # Three cells filled: that is the header, however wrong, and what the message is about.
        ("Sign-up sheet,,\r\nZip,Phone,Notes\r\n02139,555,x\r\n", "found: Zip, Phone, Notes"),
        # Nothing but titles: the first line is told about.
        ("Sign-up sheet\r\nMarch rally\r\n", "found: Sign-up sheet"),
    ],
    ids=["a-wrong-header-under-a-title", "titles-only"],
)
def test_column_names_that_fill_no_field_are_refused_naming_them(
    db: TestDatabase, tmp_path: Path, content: str, blamed: str
) -> None:
    path = _sheet(tmp_path, content.encode())

    with pytest.raises(
        ImportFileError, match=f"wrong header: no column holds a name or an email \\({blamed}\\)"
    ):
        import_csv(db.sessions, path)
    assert blamed in preview(path).problem


def test_a_one_column_sheet_of_emails_is_not_taken_for_a_title(db: TestDatabase, tmp_path: Path) -> None:
    path = _sheet(tmp_path, b"Email\r\nana@mailbox.org\r\nbo@mailbox.org\r\n")

    result = import_csv(db.sessions, path)

    assert (result.created, result.header_line, result.rejected) == (2, 1, [])


# -- columns without a name ----------------------------------------------------------------------------


def test_empty_columns_a_spreadsheet_pads_its_lines_with_are_not_reported(
    db: TestDatabase, tmp_path: Path
) -> None:
    path = _sheet(tmp_path, b"First Name,Last Name,Email,,\r\nAna,Lima,ana@mailbox.org,,\r\n")

    result = import_csv(db.sessions, path)

    assert (result.created, result.ignored_columns, result.rejected) == (1, [], [])


def test_what_a_column_without_a_name_holds_is_reported_as_left_out(db: TestDatabase, tmp_path: Path) -> None:
    lines = ("First Name,,Email,,Notes", "Ana,,ana@mailbox.org,,", "Bo,,bo@mailbox.org,called back,")
    path = _sheet(tmp_path, ("\r\n".join(lines) + "\r\n").encode())

    result = import_csv(db.sessions, path)

    assert (result.created, result.ignored_columns) == (2, ["Notes", "column 4 (no name)"])

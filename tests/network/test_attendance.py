"""Reading an awareness session's attendance: plain text and sign-in sheets, no database."""

from tremplin.network.attendance import identifiers, read_sheet


def test_typed_numbers_are_kept_one_a_line_and_blank_lines_dropped():
    assert identifiers("732 829 320\n\n  \n73282932000074\n") == ["732 829 320", "73282932000074"]


def test_a_semicolon_sheet_gives_its_first_column_without_the_header():
    sheet = b"siret;nom\n73282932000074;Boulangerie\n552 100 554;Garage\n"
    assert read_sheet(sheet) == ["73282932000074", "552 100 554"]


def test_a_comma_sheet_with_a_byte_order_mark_is_read_too():
    sheet = "\ufeffSIREN,Entreprise\n732829320,Boulangerie Dupont\n".encode()
    assert read_sheet(sheet) == ["732829320"]


def test_rows_whose_first_cell_is_not_a_number_are_skipped():
    sheet = b"Atelier du 2 mars;;\n;Sans numero\n\nabc123;X\n732829320;Y\n"
    assert read_sheet(sheet) == ["732829320"]


def test_an_undecodable_byte_does_not_stop_the_reading():
    assert read_sheet(b"siret;nom\n732829320;Cr\xe9perie\n") == ["732829320"]


def test_typed_numbers_come_first_then_those_of_the_sheet():
    assert identifiers("552100554", b"siret\n732829320\n") == ["552100554", "732829320"]


def test_no_sheet_and_nothing_typed_is_no_one():
    assert identifiers("", None) == []
    assert identifiers(None, b"") == []

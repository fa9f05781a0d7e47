"""The check of a filled workbook: each class of mistake is reported at its row and column."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from typing import Any
from uuid import UUID

from openpyxl import Workbook

from application.adapters.workbooks import read_workbook, write_template
from application.services.import_check import CheckReport, Registration, check_workbook
from domain.base import ledger_id
from domain.imports import HOUSEHOLDS, PERSONS, REGISTRATIONS, TEMPLATES

TODAY = date(2026, 12, 6)
T01, T02 = ledger_id("test-village", "T01"), ledger_id("test-village", "T02")
PERSON_HEADERS = [c.header for c in PERSONS.columns]
HOUSEHOLD_HEADERS = [c.header for c in HOUSEHOLDS.columns]


class Facts:
    """What the ledger knows, for the check: two villages, some numbers, some households."""

    def __init__(
        self, registered: dict[str, UUID] | None = None, households: set[str] | None = None
    ) -> None:
        self.registered = registered or {}
        self.households = households or set()

    def village(self, code: str) -> UUID | None:
        return {"T01": T01, "T02": T02}.get(code)

    def registration(self, cccd: str, village_id: UUID) -> Registration:
        where = self.registered.get(cccd)
        if where is None:
            return Registration.FREE
        return Registration.HERE if where == village_id else Registration.ELSEWHERE

    def household_exists(self, village_id: UUID, household_code: str) -> bool:
        return household_code in self.households

    def person_in_commune(self, cccd: str) -> tuple[bool, str | None]:
        where = self.registered.get(cccd)
        return where in (T01, T02), "can_bo" if where else None

    def criteria_in_force(self, model: str, group: str | None) -> bool:
        return model != "cong_dan_hoc_tap" or group in ("nong_dan", "can_bo")

    def clan_exists(self, village_id: UUID, clan_name: str) -> bool:
        return (village_id, clan_name.casefold()) == (T02, "dòng họ lê")


def person(cccd: Any = "001088000001", **overrides: Any) -> list[Any]:
    row = {
        "cccd": cccd,
        "full_name": "Trần Văn Bình",
        "birth_date": "03/09/1988",
        "gender": "Nam",
        "ethnicity": "Kinh",
        "target_group": "Nông dân",
        "village_code": "T01",
        "household_code": "H001",
        "relation": "Chủ hộ",
    } | overrides
    return [row[c.key] for c in PERSONS.columns]


def workbook(
    persons: list[list[Any]],
    households: list[list[Any]] | None = None,
    person_headers: list[Any] | None = None,
    above: list[Any] | None = None,
    registrations: list[list[Any]] | None = None,
) -> bytes:
    book = Workbook()
    first = book.active
    assert first is not None
    first.title = "Hộ gia đình"
    first.append(HOUSEHOLD_HEADERS)
    for row in [["H001", "T01", "Hộ ông Trần Văn Bình"]] if households is None else households:
        first.append(row)
    sheet = book.create_sheet("Nhân khẩu")
    if above is not None:
        sheet.append(above)
    sheet.append(person_headers or PERSON_HEADERS)
    for row in persons:
        sheet.append(row)
    if registrations is not None:
        titles = book.create_sheet("Đăng ký danh hiệu")
        titles.append([c.header for c in REGISTRATIONS.columns])
        for row in registrations:
            titles.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def check(content: bytes, facts: Facts | None = None) -> CheckReport:
    return check_workbook(read_workbook(content), TODAY, facts or Facts())


def errors(report: CheckReport) -> list[tuple[int, str, str]]:
    return [(e.row, e.column, e.message) for e in report.errors]


def test_a_clean_workbook_reads_every_row_and_reports_nothing() -> None:
    report = check(workbook([person(), person("001190000002", relation="Vợ", gender="Nữ")]))

    assert report.errors == [] and report.problems == [] and report.clean
    assert [p.cccd for p in report.persons] == ["001088000001", "001190000002"]
    assert report.persons[0].birth_date == date(1988, 9, 3)
    assert report.persons[1].gender == "nu" and report.persons[1].relation == "vo"
    assert report.persons[0].target_group == "nong_dan"
    assert [h.code for h in report.households] == ["H001"]
    assert report.row_count == 3


def test_a_cccd_with_letters_or_the_wrong_length_is_reported_at_its_cell() -> None:
    report = check(workbook([person("00108800000"), person("00108800000A")]))

    assert [(r, c) for r, c, _ in errors(report)] == [(2, "Số CCCD"), (3, "Số CCCD")]
    assert "12 chữ số" in report.errors[0].message
    assert report.persons == []


def test_a_cccd_in_arabic_or_fullwidth_digits_is_refused() -> None:
    arabic = "٠٠١٠٨٨٠٠٠٠٠١"
    fullwidth = "００１０８８０００００１"
    report = check(workbook([person(arabic), person(fullwidth)]))

    assert [r for r, _, _ in errors(report)] == [2, 3]


def test_a_cccd_stored_as_a_number_that_lost_its_leading_zeros_is_explained() -> None:
    report = check(workbook([person(1088000001)]))

    assert errors(report) == [
        (
            2,
            "Số CCCD",
            "số CCCD bị Excel lưu dạng số (1088000001, mất số 0 ở đầu): "
            "định dạng cột là Văn bản rồi nhập lại",
        )
    ]


def test_a_cccd_twice_in_the_file_is_reported_on_the_second_row_naming_the_first() -> None:
    report = check(workbook([person(), person("001190000002"), person("0010 8800 0001")]))

    assert errors(report) == [(4, "Số CCCD", "số CCCD trùng với dòng 2")]


def test_a_cccd_registered_in_another_unit_is_reported_and_one_here_is_marked_registered() -> None:
    facts = Facts({"001088000001": T02, "001190000002": T01})
    report = check(workbook([person(), person("001190000002", relation="Vợ")]), facts)

    assert errors(report) == [(2, "Số CCCD", "số CCCD đã được đăng ký ở đơn vị khác")]
    assert [(p.row, p.registered) for p in report.persons] == [(3, True)]


def test_an_unknown_village_is_reported_on_both_sheets() -> None:
    report = check(
        workbook([person(village_code="T99")], households=[["H001", "T99", "Hộ ông Bình"]])
    )

    assert [(e.sheet, e.row, e.column) for e in report.errors] == [
        ("Hộ gia đình", 2, "Mã thôn"),
        ("Nhân khẩu", 2, "Mã thôn"),
    ]
    assert "T99" in report.errors[0].message


def test_a_member_whose_household_is_missing_is_reported() -> None:
    report = check(workbook([person(household_code="H404")]))

    assert errors(report) == [
        (2, "Mã hộ", "hộ “H404” không có ở trang Hộ gia đình và chưa được đăng ký")
    ]


def test_a_member_of_a_household_registered_before_needs_no_household_row() -> None:
    report = check(
        workbook([person(household_code="H404")], households=[]), Facts(households={"H404"})
    )

    assert report.errors == [] and len(report.persons) == 1


def test_a_member_living_in_another_village_than_the_household_is_reported() -> None:
    report = check(workbook([person(village_code="T02")]))

    assert errors(report) == [(2, "Mã hộ", "hộ “H001” thuộc thôn T01, không phải thôn T02")]


def test_a_households_clan_is_read_and_a_clan_with_control_characters_is_reported() -> None:
    households = [
        ["H001", "T01", "Hộ ông A", "Dòng họ Trần"],
        ["H002", "T01", "Hộ bà B", "Họ\x85Trần"],
    ]
    report = check(workbook([person()], households=households))

    assert errors(report) == [
        (3, "Dòng họ", "có ký tự điều khiển hoặc ký tự không hợp lệ (U+0085)")
    ]
    assert [h.clan for h in report.households] == ["Dòng họ Trần"]


def test_a_household_code_twice_in_one_village_is_reported() -> None:
    households = [["H001", "T01", "Hộ ông A"], ["H001", "T01", "Hộ bà B"], ["H001", "T02", "C"]]
    report = check(workbook([person()], households=households))

    assert errors(report) == [(3, "Mã hộ", "mã hộ “H001” trùng với dòng 2")]


def test_a_birth_date_in_the_future_or_before_1900_is_reported() -> None:
    report = check(
        workbook(
            [
                person(birth_date="07/12/2026"),
                person("001190000002", birth_date="31/12/1899"),
            ]
        )
    )

    assert errors(report) == [
        (2, "Ngày sinh", "ngày 07/12/2026 ở tương lai (hôm nay 06/12/2026)"),
        (3, "Ngày sinh", "ngày 31/12/1899 trước năm 1900"),
    ]


def test_dates_are_read_as_text_as_excel_dates_and_as_excel_serial_numbers() -> None:
    rows = [
        person("001088000001", birth_date="3/9/1988"),
        person("001088000002", birth_date="1988-09-03"),
        person("001088000003", birth_date=datetime(1988, 9, 3)),
        person("001088000004", birth_date=32389),  # 1988-09-03 as Excel counts days
        person("001088000005", birth_date="03.09.1988"),
    ]
    report = check(workbook(rows))

    assert report.errors == []
    assert {p.birth_date for p in report.persons} == {date(1988, 9, 3)}


def test_a_date_that_is_not_a_date_is_reported() -> None:
    rows = [
        person("001088000001", birth_date="31/02/1988"),
        person("001088000002", birth_date="٠٣/٠٩/١٩٨٨"),
        person("001088000003", birth_date="năm 1988"),
    ]
    report = check(workbook(rows))

    assert [(r, c) for r, c, _ in errors(report)] == [(i, "Ngày sinh") for i in (2, 3, 4)]


def test_control_characters_are_reported_with_their_code_point() -> None:
    # openpyxl itself refuses to write C0 characters; C1, DEL and TAB reach the cells
    rows = [
        person("001088000001", full_name="Trần\x9bVăn Bình"),
        person("001088000002", ethnicity="Kinh\x7f"),
        person("001088000003", full_name="Trần\tVăn Bình"),
    ]
    report = check(workbook(rows))

    assert errors(report) == [
        (2, "Họ và tên", "có ký tự điều khiển hoặc ký tự không hợp lệ (U+009B)"),
        (3, "Dân tộc", "có ký tự điều khiển hoặc ký tự không hợp lệ (U+007F)"),
        (4, "Họ và tên", "có ký tự điều khiển hoặc ký tự không hợp lệ (U+0009)"),
    ]


def test_formula_cells_and_text_starting_with_equals_are_refused() -> None:
    rows = [
        person("001088000001", full_name='=HYPERLINK("http://x","Bình")'),
        person("001088000002", ethnicity="@SUM(A1)"),
    ]
    report = check(workbook(rows))

    assert [(r, c) for r, c, _ in errors(report)] == [(2, "Họ và tên"), (3, "Dân tộc")]
    assert "công thức" in report.errors[0].message


def test_empty_rows_are_skipped_and_not_counted() -> None:
    report = check(workbook([person(), [None] * 9, ["  ", None, ""], person("001190000002")]))

    assert report.errors == []
    assert [p.row for p in report.persons] == [2, 5]
    assert report.row_count == 3  # one household, two persons


def test_required_cells_left_empty_are_each_reported() -> None:
    report = check(workbook([person(full_name=None, village_code=" ")]))

    assert errors(report) == [
        (2, "Họ và tên", "bắt buộc, đang để trống"),
        (2, "Mã thôn", "bắt buộc, đang để trống"),
    ]


def test_a_value_outside_the_drop_down_list_is_reported_with_the_list() -> None:
    report = check(workbook([person(gender="khác", relation="Con dâu")]))

    assert errors(report) == [
        (2, "Giới tính", "“khác” không có trong danh sách (Nam, Nữ)"),
        (
            2,
            "Quan hệ với chủ hộ",
            "“Con dâu” không có trong danh sách (Chủ hộ, Vợ, Chồng, Con, Bố, Mẹ, Cháu, Khác)",
        ),
    ]


def test_codes_and_labels_are_read_without_case_or_accents() -> None:
    report = check(workbook([person(gender="NỮ", target_group="cong_nhan", relation="chu ho")]))

    assert report.errors == []
    assert (report.persons[0].gender, report.persons[0].target_group) == ("nu", "cong_nhan")
    assert report.persons[0].relation == "chu_ho"


def test_header_variants_and_a_header_merged_over_two_rows_are_recognised() -> None:
    headers = ["Số CCCD/CMND (*)", None, "Ngày, tháng, năm sinh", "GIỚI TÍNH", "Dân tộc",
               "Đối tượng", "Mã thôn (*)", "Mã hộ", "Quan hệ"]  # fmt: skip
    above = ["", "Họ và tên", "", "", "", "", "", "", ""]  # merged over both header rows
    report = check(workbook([person()], person_headers=headers, above=above))

    assert report.errors == [] and report.problems == []
    assert report.persons[0].full_name == "Trần Văn Bình"
    assert report.persons[0].row == 3


def test_names_are_nfc_normalised_and_inner_spaces_collapsed() -> None:
    decomposed = "Tra\u0302\u0300n  Va\u0306n Bi\u0300nh"
    report = check(workbook([person(full_name=decomposed)]))

    assert report.persons[0].full_name == "Trần Văn Bình"


def test_a_file_that_is_not_a_workbook_is_refused_as_a_whole() -> None:
    report = check(b"CCCD;Ho ten\n001088000001;Binh\n")

    assert report.problems == ["không đọc được tệp: cần tệp Excel .xlsx (dùng tệp mẫu)"]
    assert not report.clean


def test_a_workbook_without_known_headers_is_refused_as_a_whole() -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["a", "b"])
    out = io.BytesIO()
    book.save(out)

    report = check(out.getvalue())

    assert report.problems and "tiêu đề cột" in report.problems[0]


def test_a_zip_that_would_unpack_to_gigabytes_is_refused_before_reading() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (110 * 1024 * 1024))

    report = check(out.getvalue())

    assert report.problems == ["tệp quá lớn khi giải nén: hãy chia tệp"]


def test_a_huge_sheet_is_refused_beyond_the_row_limit(monkeypatch: Any) -> None:
    monkeypatch.setattr("application.adapters.workbooks.MAX_ROWS", 50)
    rows = [person(f"0010880{i:05d}", household_code=None, relation=None) for i in range(60)]

    report = check(workbook(rows))

    assert report.problems == ["trang “Nhân khẩu” có hơn 50 dòng: hãy chia tệp"]
    assert not report.clean


def test_a_sheet_of_endless_empty_rows_is_refused_without_reading_to_its_end(
    monkeypatch: Any,
) -> None:
    monkeypatch.setattr("application.adapters.workbooks.MAX_ROWS", 50)
    rows = [person()] + [[None, None, None, None, None, None, None, None, " "]] * 200

    report = check(workbook(rows))

    assert report.problems == [
        "trang “Nhân khẩu” có hơn 100 dòng (kể cả dòng trống): hãy xóa các dòng thừa hoặc chia tệp"
    ]


def test_a_long_file_is_checked_whole_and_every_mistake_reported() -> None:
    rows = [person(f"0010880{i:05d}", household_code=None, relation=None) for i in range(3000)]
    rows[1000][0] = "0010880"
    rows[2999][2] = "01/01/2030"

    report = check(workbook(rows))

    assert [(r, c) for r, c, _ in errors(report)] == [(1002, "Số CCCD"), (3001, "Ngày sinh")]
    assert len(report.persons) == 2998


def test_every_template_reads_back_as_an_empty_workbook_with_its_sheets() -> None:
    for kind, sheets in TEMPLATES.items():
        book = read_workbook(write_template(sheets, [("T01", "Thôn Đông")], "Xã Hòa Bình"))

        assert book.problems == [], kind
        assert set(book.sheets) == {s.kind for s in sheets}
        assert book.row_count == 0


# --- yearly registrations ----------------------------------------------------------------


def titles(rows: list[list[Any]], facts: Facts | None = None) -> CheckReport:
    return check(workbook([person()], registrations=rows), facts)


def test_a_person_and_a_household_of_the_file_are_registered_for_their_titles() -> None:
    report = titles(
        [
            ["Công dân học tập", "2026", "001088000001"],
            ["Gia đình học tập", 2026, None, "T01", "H001"],
        ]
    )

    assert report.errors == []
    assert [(r.model, r.cycle_year, r.cccd, r.household_code) for r in report.registrations] == [
        ("cong_dan_hoc_tap", 2026, "001088000001", None),
        ("gia_dinh_hoc_tap", 2026, None, "H001"),
    ]


def test_a_person_registered_in_the_commune_before_may_be_registered_for_a_title() -> None:
    report = titles([["Công dân học tập", 2026, "001190000002"]], Facts({"001190000002": T02}))

    assert report.errors == [] and report.registrations[0].cccd == "001190000002"


def test_a_title_for_someone_neither_in_the_file_nor_in_the_commune_is_reported() -> None:
    report = titles([["Công dân học tập", 2026, "001190000009"], ["Công dân học tập", 2026]])

    assert errors(report) == [
        (2, "Số CCCD", "không có người với số CCCD này ở trang Nhân khẩu hay trong xã"),
        (3, "Số CCCD", "cần số CCCD với danh hiệu Công dân học tập"),
    ]


def test_an_unknown_title_and_a_year_outside_the_cycle_are_reported() -> None:
    report = titles(
        [["Danh hiệu lạ", 2026, "001088000001"], ["Công dân học tập", 2030, "001088000001"],
         ["Công dân học tập", "năm nay", "001088000001"]]
    )  # fmt: skip

    assert [(r, c) for r, c, _ in errors(report)] == [(2, "Danh hiệu"), (3, "Năm"), (4, "Năm")]
    assert errors(report)[1][2] == "năm 2030 ngoài chu kỳ đăng ký (2025-2027)"


def test_the_same_title_twice_for_one_subject_and_year_is_reported() -> None:
    report = titles([["Công dân học tập", 2026, "001088000001"]] * 2)

    assert errors(report) == [(3, "Danh hiệu", "đã đăng ký danh hiệu này cho năm 2026 ở dòng 2")]


def test_a_title_without_criteria_in_force_for_the_persons_group_is_reported() -> None:
    report = check(
        workbook(
            [person(target_group="Công nhân")],
            registrations=[["Công dân học tập", 2026, "001088000001"]],
        )
    )

    assert errors(report) == [
        (2, "Danh hiệu", "chưa có bộ tiêu chí Công dân học tập đang áp dụng cho nhóm “cong_nhan”")
    ]


def test_a_household_title_needs_a_household_of_the_file_or_the_ledger() -> None:
    report = titles(
        [["Gia đình học tập", 2026, None, "T01"], ["Gia đình học tập", 2026, None, "T01", "H404"]]
    )

    assert errors(report) == [
        (2, "Mã hộ", "cần mã hộ với danh hiệu Gia đình học tập"),
        (3, "Mã hộ", "hộ “H404” không có ở trang Hộ gia đình và chưa được đăng ký"),
    ]


# --- clans' and communities' titles --------------------------------------------------------

CLAN_HOUSEHOLD = ["H001", "T01", "Hộ ông Trần Văn Bình", "Dòng họ Trần"]


def collective_titles(rows: list[list[Any]], facts: Facts | None = None) -> CheckReport:
    return check(workbook([person()], [CLAN_HOUSEHOLD], registrations=rows), facts)


def test_a_clan_of_the_file_or_the_ledger_and_a_village_are_registered_for_their_titles() -> None:
    report = collective_titles(
        [
            ["Dòng họ học tập", 2026, None, "T01", None, "dòng  họ TRẦN"],  # as the file, spaced
            ["dong ho hoc tap", 2026, None, "T02", None, "Dòng họ Lê"],  # registered before
            ["Cộng đồng học tập", 2026, None, "T01"],
            ["Cộng đồng học tập", 2027, None, "T01"],
        ]
    )

    assert report.errors == []
    assert [(r.model, r.cycle_year, r.village_id, r.clan) for r in report.registrations] == [
        ("dong_ho_hoc_tap", 2026, T01, "dòng họ TRẦN"),
        ("dong_ho_hoc_tap", 2026, T02, "Dòng họ Lê"),
        ("cong_dong_hoc_tap", 2026, T01, None),
        ("cong_dong_hoc_tap", 2027, T01, None),
    ]


def test_a_clan_or_village_the_title_names_must_exist_and_be_named() -> None:
    report = collective_titles(
        [
            ["Dòng họ học tập", 2026, None, "T02", None, "Dòng họ Trần"],  # T01's clan
            ["Dòng họ học tập", 2026, None, "T01"],
            ["Dòng họ học tập", 2026, None, None, None, "Dòng họ Trần"],
            ["Cộng đồng học tập", 2026, None, "T99"],
            ["Cộng đồng học tập", 2026, "001088000001"],
            ["Cộng đồng học tập", 2026, None, "=T01"],
            ["Dòng họ học tập", 2026, None, "T01", None, "Dòng họ\x9bTrần"],
        ]
    )

    assert errors(report) == [
        (2, "Dòng họ", "dòng họ “Dòng họ Trần” không có ở trang Hộ gia đình của thôn T02 "
         "và chưa được đăng ký"),
        (3, "Dòng họ", "cần tên dòng họ với danh hiệu Dòng họ học tập"),
        (4, "Mã thôn", "cần mã thôn với danh hiệu Dòng họ học tập"),
        (5, "Mã thôn", "không có thôn mã “T99” trong đơn vị đang nhập"),
        (6, "Mã thôn", "cần mã thôn với danh hiệu Cộng đồng học tập"),
        (7, "Mã thôn", "ô chứa công thức (bắt đầu bằng =, + hoặc @): hãy dán giá trị"),
        (8, "Dòng họ", "có ký tự điều khiển hoặc ký tự không hợp lệ (U+009B)"),
    ]  # fmt: skip
    assert report.registrations == []


def test_the_same_clan_or_village_twice_for_a_title_and_year_is_reported() -> None:
    report = collective_titles(
        [
            ["Dòng họ học tập", 2026, None, "T01", None, "Dòng họ Trần"],
            ["Dòng họ học tập", 2026, None, "T01", None, "DÒNG HỌ   trần"],
            ["Cộng đồng học tập", 2026, None, "T01"],
            ["cong dong hoc tap", "2026", None, " T01 "],  # the same village and year
            ["Cộng đồng học tập", 2030, None, "T02"],
        ]
    )

    assert errors(report) == [
        (3, "Danh hiệu", "đã đăng ký danh hiệu này cho năm 2026 ở dòng 2"),
        (5, "Danh hiệu", "đã đăng ký danh hiệu này cho năm 2026 ở dòng 4"),
        (6, "Năm", "năm 2030 ngoài chu kỳ đăng ký (2025-2027)"),
    ]


class NoCollectiveSets(Facts):
    def criteria_in_force(self, model: str, group: str | None) -> bool:
        return model not in ("dong_ho_hoc_tap", "cong_dong_hoc_tap")


def test_a_clan_or_community_title_without_criteria_in_force_is_reported() -> None:
    report = collective_titles(
        [
            ["Dòng họ học tập", 2026, None, "T01", None, "Dòng họ Trần"],
            ["Cộng đồng học tập", 2026, None, "T01"],
        ],
        NoCollectiveSets(),
    )

    assert errors(report) == [
        (2, "Danh hiệu", "chưa có bộ tiêu chí Dòng họ học tập đang áp dụng"),
        (3, "Danh hiệu", "chưa có bộ tiêu chí Cộng đồng học tập đang áp dụng"),
    ]


def test_a_household_title_without_its_village_is_reported_not_left_out() -> None:
    report = titles([["Gia đình học tập", 2026, None, None, "H001"], ["Gia đình học tập", 2026]])

    assert errors(report) == [
        (2, "Mã thôn", "cần mã thôn với danh hiệu Gia đình học tập"),
        (3, "Mã thôn", "cần mã thôn với danh hiệu Gia đình học tập"),
        (3, "Mã hộ", "cần mã hộ với danh hiệu Gia đình học tập"),
    ]
    assert report.registrations == []

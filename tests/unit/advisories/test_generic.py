"""Generic history import: the marcolussetti history, the 58 Smartraveller snapshots, bad rows."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from service.ingest.advisories.generic import parse_generic
from service.ingest.records import ParseFailure

HISTORY = "advisories-history-marcolussetti"
SMARTRAVELLER = "smartraveller-kevle1/advisories_snapshots"
SOURCE_OF = {
    "australia": "au",
    "canada": "ca",
    "ireland": "ie",
    "unitedkingdom": "uk-fcdo",
    "unitedstates": "us-state",
}
KEVLE1_MAPPING = {
    "country": "country.alpha_2",
    "native": "advisory",
    "level": "level",
    "url": "page_url",
    "published_at": "$.last_updated",
}

# file: (stored, reported as unmapped) -- every row is one or the other, never an error.
SUMMARY_SNAPSHOTS = {
    "2025-03-27_c999834472_australia_summary.csv": (178, 1),
    "2025-04-01_d61bd83fd2_australia_summary.csv": (178, 1),
    "2025-05-01_8f2e598b4d_australia_summary.csv": (178, 1),
    "2025-06-03_c0f210ce4e_australia_summary.csv": (178, 1),
    "2025-07-01_b9c7860053_australia_summary.csv": (178, 1),
    "2025-08-01_c76c95c9fa_australia_summary.csv": (178, 1),
    "2025-08-15_c73954303e_australia_summary.csv": (178, 1),
    "2025-03-10_e75520ce1d_canada_summary.csv": (228, 2),
    "2025-04-01_34a2e124a5_canada_summary.csv": (228, 2),
    "2025-05-01_4e38876995_canada_summary.csv": (228, 2),
    "2025-06-03_c770e94b54_canada_summary.csv": (228, 2),
    "2025-07-01_f8f72f9542_canada_summary.csv": (228, 2),
    "2025-08-01_9d896be1a0_canada_summary.csv": (228, 2),
    "2025-09-01_e72fdf87e0_canada_summary.csv": (228, 2),
    "2025-10-01_87186bc635_canada_summary.csv": (228, 2),
    "2025-11-01_de5098aea9_canada_summary.csv": (228, 2),
    "2025-12-02_78ac3dd7f0_canada_summary.csv": (228, 2),
    "2026-01-01_a45b68d3f0_canada_summary.csv": (228, 2),
    "2026-02-02_21956a7ac9_canada_summary.csv": (228, 2),
    "2026-03-01_3ca85670e6_canada_summary.csv": (228, 2),
    "2026-04-01_63d4ce1696_canada_summary.csv": (228, 2),
    "2026-05-01_1f08f4aae3_canada_summary.csv": (228, 2),
    "2025-03-26_3c2b989d33_ireland_summary.csv": (211, 0),
    "2025-04-01_7a81607593_ireland_summary.csv": (211, 0),
    "2025-05-01_993ccd8584_ireland_summary.csv": (211, 0),
    "2025-06-04_f9f85128eb_ireland_summary.csv": (211, 0),
    "2025-07-01_74314e781b_ireland_summary.csv": (211, 0),
    "2025-08-01_4d202ff928_ireland_summary.csv": (211, 0),
    "2025-09-03_5b198ece48_ireland_summary.csv": (211, 0),
    "2025-10-01_1fa40c9884_ireland_summary.csv": (0, 211),
    "2025-11-01_2c001f9f8d_ireland_summary.csv": (0, 211),
    "2025-12-02_cc63c848c1_ireland_summary.csv": (0, 212),
    "2026-01-01_7ec9625073_ireland_summary.csv": (0, 212),
    "2026-02-04_86a4403817_ireland_summary.csv": (0, 212),
    "2026-03-01_5a225959ba_ireland_summary.csv": (0, 212),
    "2026-04-01_787c1451fa_ireland_summary.csv": (0, 212),
    "2026-05-01_677e32ce09_ireland_summary.csv": (0, 212),
    "2025-03-26_20c4d2c2e8_unitedkingdom_summary.csv": (0, 226),
    "2025-04-01_1c59505dd0_unitedkingdom_summary.csv": (0, 226),
    "2025-05-01_c8ba235be1_unitedkingdom_summary.csv": (0, 226),
    "2025-06-03_769508d89a_unitedkingdom_summary.csv": (0, 226),
    "2025-07-01_657453a823_unitedkingdom_summary.csv": (0, 226),
    "2025-08-01_06ef1566e3_unitedkingdom_summary.csv": (0, 226),
    "2025-09-03_8ca40574d0_unitedkingdom_summary.csv": (0, 226),
    "2025-10-01_90b16ab93b_unitedkingdom_summary.csv": (0, 226),
    "2025-11-01_e60414ed64_unitedkingdom_summary.csv": (0, 226),
    "2025-12-01_48fab7b5a3_unitedkingdom_summary.csv": (0, 226),
    "2026-01-01_2d9781d832_unitedkingdom_summary.csv": (0, 226),
    "2026-02-01_1134506cdd_unitedkingdom_summary.csv": (0, 226),
    "2026-03-01_d6abd7d678_unitedkingdom_summary.csv": (0, 226),
    "2026-04-01_78b45900f3_unitedkingdom_summary.csv": (0, 226),
    "2026-05-01_b8029a1c47_unitedkingdom_summary.csv": (0, 226),
    "2025-03-10_e75520ce1d_unitedstates_summary.csv": (210, 2),
    "2025-04-01_1c8963ac2a_unitedstates_summary.csv": (210, 27),
    "2025-05-01_b3f441e690_unitedstates_summary.csv": (210, 27),
    "2025-06-03_fd239be7a5_unitedstates_summary.csv": (210, 27),
    "2025-07-01_08adad424e_unitedstates_summary.csv": (210, 27),
    "2025-08-01_1fd01ce533_unitedstates_summary.csv": (210, 27),
    "2025-08-14_c5f67b93ca_unitedstates_summary.csv": (210, 27),
}


def scraper_mapping(data: bytes) -> dict[str, str]:
    """The scraper's CSV columns differ by source and changed over time (US renamed two)."""
    header = next(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    mapping = {"country": "destination"}
    if "risk_level" in header:
        mapping["native"] = "risk_level"
    if "risk_level_number" in header:
        mapping["level"] = "risk_level_number"
    dated = "last_updated_advisory" if "last_updated_advisory" in header else "last_updated"
    mapping["published_at"] = dated
    mapping["url"] = next(h for h in ("advisory_details_url", "details_url", "url") if h in header)
    return mapping


@pytest.mark.parametrize("name", sorted(SUMMARY_SNAPSHOTS))
def test_every_monthly_summary_row_is_stored_or_explained(shared_data: Path, name: str) -> None:
    path = next((shared_data / HISTORY / "summary_snapshots").glob(f"*/{name}"))
    data = path.read_bytes()
    result = parse_generic(data, source=SOURCE_OF[path.parent.name], mapping=scraper_mapping(data))
    assert result.errors == []
    assert (len(result.items), len(result.unmapped)) == SUMMARY_SNAPSHOTS[name]
    rows = sum(1 for _ in csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(result.items) + len(result.unmapped) == rows


@pytest.mark.parametrize(
    ("source", "stored", "unmapped"),
    [
        ("australia", 625, 1),
        ("canada", 8749, 48),
        ("ireland", 792, 783),
        ("unitedkingdom", 0, 2268),
        ("unitedstates", 487, 23),
    ],
)
def test_change_logs_name_their_own_source_per_row(
    shared_data: Path, source: str, stored: int, unmapped: int
) -> None:
    data = (
        shared_data / HISTORY / "summary_changes" / f"{source}_summary_changes.csv"
    ).read_bytes()
    result = parse_generic(data, mapping=scraper_mapping(data))
    assert result.errors == []
    assert (len(result.items), len(result.unmapped)) == (stored, unmapped)
    assert {r.source for r in result.items} <= {SOURCE_OF[source]}


def test_canada_rows_with_regional_advisories_say_regional_detail_is_unknown(
    shared_data: Path,
) -> None:
    path = shared_data / HISTORY / "summary_snapshots" / "canada"
    data = next(path.glob("2025-03-10_*")).read_bytes()
    result = parse_generic(data, source="ca", mapping=scraper_mapping(data))
    mexico = next(r for r in result.items if r.country_iso2 == "MX")
    assert (mexico.level, mexico.regional_state) == (2, "unknown")
    assert mexico.published_at is not None and mexico.published_at.tzinfo is not None


def test_islands_with_their_own_canadian_advice_are_not_stored_as_the_country(
    shared_data: Path,
) -> None:
    data = next((shared_data / HISTORY / "summary_snapshots" / "canada").glob("2025-03-10_*"))
    result = parse_generic(
        data.read_bytes(), source="ca", mapping=scraper_mapping(data.read_bytes())
    )
    assert sorted(p.message.split(":")[0] for p in result.unmapped) == [
        "'Azores'",
        "'Canary Islands'",
    ]


@pytest.mark.parametrize(
    ("source", "mapping", "stored", "unmapped"),
    [
        (
            "australia",
            {
                "country": "info.destination",
                "native": "info.advisory_level",
                "published_at": "info.last_updated",
                "url": "info.url",
            },
            624,
            1,
        ),
        (
            "unitedstates",
            {
                "country": "info.name",
                "native": "info.risk_level",
                "level": "info.risk_level_number",
                "published_at": "info.update_date_advisory",
            },
            337,
            29,
        ),
        (
            "ireland",
            {
                "country": "info.name",
                "native": "info.risk_level",
                "published_at": "info.update_date",
            },
            792,
            760,
        ),
    ],
)
def test_info_history_jsonl_reads_nested_fields(
    shared_data: Path, source: str, mapping: dict[str, str], stored: int, unmapped: int
) -> None:
    data = (shared_data / HISTORY / "info_history" / f"{source}_info_history.jsonl").read_bytes()
    result = parse_generic(data, mapping=mapping)
    assert result.errors == []
    assert (len(result.items), len(result.unmapped)) == (stored, unmapped)


def test_all_58_smartraveller_snapshots_import_without_a_problem(shared_data: Path) -> None:
    paths = sorted((shared_data / SMARTRAVELLER).glob("*_advisories.json"))
    assert len(paths) == 58
    sizes = []
    for path in paths:
        result = parse_generic(
            path.read_bytes(), source="au", mapping=KEVLE1_MAPPING, records_key="advisories"
        )
        assert result.problems == [], path.name
        sizes.append(len(result.items))
    assert sum(sizes) == 10066
    assert sizes.count(0) == 1  # the failed scrape of 2024-11-11, an empty list


def test_smartraveller_snapshots_show_nigeria_moving_4_3_4(shared_data: Path) -> None:
    levels = []
    for path in sorted((shared_data / SMARTRAVELLER).glob("*_advisories.json")):
        result = parse_generic(
            path.read_bytes(), source="au", mapping=KEVLE1_MAPPING, records_key="advisories"
        )
        nigeria = [r for r in result.items if r.country_iso2 == "NG"]
        if nigeria and (not levels or levels[-1][1] != nigeria[0].level):
            assert nigeria[0].published_at is not None
            levels.append((nigeria[0].published_at.date().isoformat(), nigeria[0].level))
    assert levels[:3] == [("2024-10-05", 4), ("2024-11-05", 3), ("2024-12-03", 4)]


def test_bad_rows_are_reported_one_by_one_and_good_rows_kept() -> None:
    data = (
        b"source,country,level,native,published_at,url\n"
        b"us-state,Mali,4,Level 4: Do Not Travel,2025-10-31,https://x\n"
        b"us-state,Mali,2,Level 4: Do Not Travel,2025-10-31,\n"
        b"us-state,Mali,7,,2025-10-31,\n"
        b"us-state,Mali,,Level 5: Run,2025-10-31,\n"
        b"us-state,Mali,4,,not a date,\n"
        b"mars,Mali,4,,2025-10-31,\n"
        b"us-state,,4,,2025-10-31,\n"
        b"us-state,Mali,4\n"
        b"ie,Ireland,,Normal Precautions,2025-10-31,\n"
    )
    result = parse_generic(data)
    assert [(r.country_iso2, r.level, r.source) for r in result.items] == [
        ("ML", 4, "us-state"),
        ("IE", 1, "ie"),
    ]
    assert [p.location for p in result.errors] == [
        f"line {n}" if n in (7, 8, 9) else f"line {n} (Mali)" for n in range(3, 10)
    ]


def test_json_documents_need_to_say_where_their_records_are() -> None:
    with pytest.raises(ParseFailure, match="records_key"):
        parse_generic(json.dumps({"advisories": []}).encode())


def test_a_mapping_to_unknown_fields_or_a_csv_without_the_country_column_is_refused() -> None:
    with pytest.raises(ParseFailure, match="unknown fields"):
        parse_generic(b"a,b\n1,2\n", mapping={"nation": "a"})
    with pytest.raises(ParseFailure, match="no 'country' column"):
        parse_generic(b"a,b\n1,2\n")


def test_wrong_types_in_json_records_are_errors_not_crashes() -> None:
    rows = [
        {"source": "au", "country": "FJ", "native": "Exercise a high degree of caution"},
        {"source": "au", "country": "FJ", "native": ["Do not travel"]},
        {"source": "au", "country": 42, "level": 2},
        {"source": "au", "country": "FJ", "level": True},
        "just text",
    ]
    result = parse_generic("\n".join(json.dumps(r) for r in rows).encode() + b"\n{broken")
    assert [(r.country_iso2, r.level) for r in result.items] == [("FJ", 2)]
    assert len(result.errors) == 5

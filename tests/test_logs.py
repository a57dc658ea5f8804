"""Loading a centre's exports: contact logs, interval reports, staffing tables, rosters.

Every broken rule must name the file, the row (the line of a CSV file), the
column and the rule, and load nothing; what is dropped is counted.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.data.logs import LogError, load_log
from sim.data.mapping import MappingError
from sim.data.reports import load_interval_report, load_roster, load_staffing_table, roster_staffing

ROOT = Path(__file__).resolve().parents[1]
BANK = ROOT / "data" / "anonymous_bank"
HEAD = "call,arrived,answered,ended,status,who\n"
MAP = {
    "time_format": "%Y-%m-%d %H:%M:%S",
    "columns": {
        "arrival": "arrived",
        "answer": "answered",
        "end": "ended",
        "outcome": "status",
        "agent": "who",
    },
    "outcomes": {"OK": "served", "LOST": "abandoned", "TEST": "ignore"},
}
GOOD = [
    "1,2026-03-02 09:00:00,2026-03-02 09:00:10,2026-03-02 09:03:10,OK,ann",
    "2,2026-03-02 09:01:00,,2026-03-02 09:02:00,LOST,",
    "3,2026-03-02 23:59:00,2026-03-02 23:59:30,2026-03-03 00:04:30,OK,bob",
    "4,2026-03-02 10:00:00,,,TEST,",
]


def write(tmp_path: Path, rows: list[str], name: str = "log.csv", head: str = HEAD) -> Path:
    path = tmp_path / name
    path.write_text(head + "\n".join(rows) + "\n")
    return path


def test_a_good_log_becomes_the_tidy_table_with_what_was_dropped(tmp_path):
    loaded = load_log(write(tmp_path, GOOD), MAP)
    c = loaded.contacts
    assert list(c.outcome) == ["served", "abandoned", "served"]
    assert c.t_arrival.tolist() == [540.0, 541.0, 1439.0]
    assert c.wait.tolist() == pytest.approx([10 / 60, 1.0, 0.5])
    assert c.handle.iloc[2] == pytest.approx(5.0)  # crosses midnight: the day of its arrival
    assert c.t_end.iloc[2] == pytest.approx(1444.5)
    assert c.day.nunique() == 1 and c.agent.iloc[0] == "ann" and pd.isna(c.agent.iloc[1])
    assert "1 dropped: outcome 'TEST' (ignored by the mapping)" in loaded.summary()


BAD = [
    (
        "unparseable time",
        "1,2026-03-02 9h00,2026-03-02 09:00:10,2026-03-02 09:03:10,OK,ann",
        "row 2, column 'arrived': unparseable time (expected %Y-%m-%d %H:%M:%S), "
        "got '2026-03-02 9h00'",
    ),
    (
        "unknown outcome",
        "1,2026-03-02 09:00:00,2026-03-02 09:00:10,2026-03-02 09:03:10,MAYBE,ann",
        "row 2, column 'status': unknown outcome (known: LOST, OK, TEST; map it under "
        "outcomes:), got 'MAYBE'",
    ),
    (
        "answer before arrival",
        "1,2026-03-02 09:00:00,2026-03-02 08:59:00,2026-03-02 09:03:10,OK,ann",
        "row 2, column 'answered': answer before arrival (by more than 2 s), "
        "got '2026-03-02 08:59:00'",
    ),
    (
        "end before answer",
        "1,2026-03-02 09:00:00,2026-03-02 09:00:10,2026-03-02 09:00:05,OK,ann",
        "row 2, column 'ended': end before the answer or the arrival, got '2026-03-02 09:00:05'",
    ),
    (
        "served without answer",
        "1,2026-03-02 09:00:00,,2026-03-02 09:03:10,OK,ann",
        "row 2, column 'answered': a served contact needs an answer time, got an empty cell",
    ),
    (
        "no arrival",
        "1,,2026-03-02 09:00:10,2026-03-02 09:03:10,OK,ann",
        "row 2, column 'arrived': a contact needs an arrival time, got an empty cell",
    ),
]


@pytest.mark.parametrize(("rule", "row", "message"), BAD, ids=[b[0] for b in BAD])
def test_each_broken_rule_names_the_file_row_column_and_rule(rule, row, message, tmp_path):
    path = write(tmp_path, [row, *GOOD[:2]])
    before = sorted(tmp_path.iterdir())
    with pytest.raises(LogError) as err:
        load_log(path, MAP)
    assert str(err.value) == f"{path}: {message}"
    assert sorted(tmp_path.iterdir()) == before  # nothing written


def test_the_first_broken_row_is_the_one_named(tmp_path):
    rows = [*GOOD[:2], "9,2026-03-02 09:00:00,,2026-03-02 09:03:10,OK,x", "10,bad,,,OK,x"]
    with pytest.raises(LogError, match=r": row 4, column 'answered'"):
        load_log(write(tmp_path, rows), MAP)


def test_with_on_error_drop_bad_rows_are_dropped_and_counted(tmp_path):
    rows = [*GOOD, BAD[1][1], BAD[2][1], BAD[2][1]]
    loaded = load_log(write(tmp_path, rows), {**MAP, "on_error": "drop"})
    assert len(loaded.contacts) == 3
    reasons = dict(zip(loaded.dropped.reason, loaded.dropped.rows, strict=True))
    assert reasons["dropped: answer before arrival (by more than 2 s) (column 'answered')"] == 2
    assert any(r.startswith("dropped: unknown outcome") for r in reasons)


def test_clock_skew_within_the_tolerance_is_set_to_the_arrival_and_counted(tmp_path):
    row = "1,2026-03-02 09:00:02,2026-03-02 09:00:01,2026-03-02 09:03:10,OK,ann"
    loaded = load_log(write(tmp_path, [row]), MAP)
    assert loaded.contacts.wait.iloc[0] == 0.0
    assert "1 kept: answer up to 2 s before the arrival, set to the arrival" in loaded.summary()


def test_a_missing_column_and_a_bad_mapping_are_one_line(tmp_path):
    path = write(tmp_path, GOOD)
    with pytest.raises(LogError, match=r"column 'finished' \(mapped as end\) is not in the file"):
        load_log(path, {**MAP, "columns": {**MAP["columns"], "end": "finished"}})
    with pytest.raises(MappingError, match=r"columns.ending must be one of arrival, "):
        load_log(path, {**MAP, "columns": {**MAP["columns"], "ending": "ended"}})
    with pytest.raises(MappingError, match=r"outcomes.OK must be one of served, abandoned"):
        load_log(path, {**MAP, "outcomes": {"OK": "fine"}})
    with pytest.raises(MappingError, match=r"seperator is not a mapping key"):
        load_log(path, {**MAP, "seperator": ";"})
    with pytest.raises(LogError, match=r"nope.csv: no such file"):
        load_log(tmp_path / "nope.csv", MAP)


def test_timestamps_with_an_offset_are_read_in_the_given_zone(tmp_path):
    rows = ["1,2026-03-02T08:00:00+00:00,2026-03-02T08:00:30+00:00,2026-03-02T08:02:30+00:00,OK,a"]
    loaded = load_log(
        write(tmp_path, rows), {**MAP, "time_format": "iso", "timezone": "Europe/Rome"}
    )
    assert loaded.contacts.t_arrival.iloc[0] == 9 * 60  # 09:00 in Rome (UTC+1 in March)


def test_parquet_logs_load_like_csv(tmp_path):
    csv = load_log(write(tmp_path, GOOD), MAP).contacts
    table = pd.read_csv(write(tmp_path, GOOD, "again.csv"), dtype=str, keep_default_na=False)
    table.to_parquet(tmp_path / "log.parquet")
    pq = load_log(tmp_path / "log.parquet", MAP).contacts
    pd.testing.assert_frame_equal(csv.drop(columns="row"), pq.drop(columns="row"))


def test_the_bank_log_counts_match_the_file_itself():
    raw = pd.read_csv(BANK / "anonymous_bank_1999-02-01_07.tsv", sep="\t", dtype=str)
    loaded = load_log(BANK / "anonymous_bank_1999-02-01_07.tsv", BANK / "mapping.yaml")
    reasons = dict(zip(loaded.dropped.reason, loaded.dropped.rows, strict=True))
    assert (
        reasons["dropped: outcome 'PHANTOM' (ignored by the mapping)"]
        == (raw.outcome == "PHANTOM").sum()
    )
    in_vru = (raw.outcome == "HANG") & (raw.q_start == "0:00:00")
    assert reasons["dropped: hung up before joining the queue (in the IVR)"] == in_vru.sum()
    no_service = (raw.outcome == "AGENT") & (raw.ser_start == "0:00:00")
    assert (
        reasons["dropped: a served contact needs an answer time (column 'ser_start')"]
        == no_service.sum()
    )
    assert loaded.rows == len(raw)
    assert len(loaded.contacts) + sum(
        v for k, v in reasons.items() if k.startswith("dropped")
    ) == len(raw)
    c = loaded.contacts
    assert (c.outcome == "abandoned").sum() == (
        (raw.outcome == "HANG") & (raw.q_start != "0:00:00")
    ).sum()


def test_the_bank_log_stops_at_its_first_glitch_when_told_to(tmp_path):
    with pytest.raises(LogError) as err:
        load_log(BANK / "anonymous_bank_1999-02-01_07.tsv", BANK / "mapping.yaml", on_error="stop")
    assert re.search(
        r"tsv: row \d+, column 'ser_start': a served contact needs an answer time", str(err.value)
    )


REPORT = "start,queue,offered,handled,abandoned,aht,asa,sl,agents\n"


def test_an_interval_report_reads_into_minutes_and_shares(tmp_path):
    path = write(tmp_path, ["2026-03-02 09:00,voice,60,54,6,180,30,80,7.5"], "ir.csv", REPORT)
    mapping = {
        "time_format": "%Y-%m-%d %H:%M",
        "percent": True,
        "columns": {
            k: k for k in ("queue", "offered", "handled", "abandoned", "aht", "asa", "agents")
        }
        | {"interval_start": "start", "service_level": "sl"},
    }
    r = load_interval_report(path, mapping).iloc[0]
    assert (r.t_start, r.offered, r.aht, r.asa, r.service_level, r.agents) == (
        540,
        60,
        3.0,
        0.5,
        0.8,
        7.5,
    )
    bad = write(tmp_path, ["2026-03-02 09:00,voice,60,58,6,180,30,80,7"], "bad.csv", REPORT)
    with pytest.raises(
        LogError, match=r"bad.csv: row 2, column 'offered': must be at least handled \+ abandoned"
    ):
        load_interval_report(bad, mapping)
    worse = write(tmp_path, ["2026-03-02 09:00,voice,sixty,58,6,180,30,80,7"], "worse.csv", REPORT)
    with pytest.raises(
        LogError, match=r"row 2, column 'offered': must be a number >= 0, got 'sixty'"
    ):
        load_interval_report(worse, mapping)


def test_a_staffing_table_and_a_roster_give_agents_per_interval(tmp_path):
    table = write(tmp_path, ["2026-03-02,09:00,voice,4.5"], "st.csv", "date,start,group,agents\n")
    st = load_staffing_table(
        table,
        {
            "date": {"column": "date"},
            "time_format": "%H:%M",
            "columns": {"interval_start": "start", "group": "group", "agents": "agents"},
        },
    )
    assert (st.t_start.iloc[0], st.agents.iloc[0]) == (540, 4.5)
    roster = write(
        tmp_path,
        ["ann,voice,calls;chat,08:00,16:00,12:00-12:30", "bob,voice,calls,22:00,06:00,"],
        "roster.csv",
        "agent,group,skills,start,end,breaks\n",
    )
    r = load_roster(
        roster,
        {
            "time_format": "%H:%M",
            "columns": {
                "agent": "agent",
                "group": "group",
                "skills": "skills",
                "shift_start": "start",
                "shift_end": "end",
                "breaks": "breaks",
            },
        },
    )
    assert r.skills.iloc[0] == ["calls", "chat"] and r.breaks.iloc[0] == [(720.0, 750.0)]
    levels = roster_staffing(r, 30.0).set_index("t_start").agents
    assert levels[480] == 1 and levels[720] == 0 and levels[750] == 1 and levels[960] == 0
    assert levels[0] == 1 and levels[1380] == 1 and levels[360] == 0  # the night shift wraps
    assert np.isclose(levels.sum() * 30, 7.5 * 60 + 8 * 60)
    with pytest.raises(LogError, match=r"column 'breaks': breaks must read hh:mm-hh:mm"):
        load_roster(
            write(
                tmp_path,
                ["ann,voice,,08:00,16:00,lunch"],
                "r2.csv",
                "agent,group,skills,start,end,breaks\n",
            ),
            {
                "time_format": "%H:%M",
                "columns": {
                    "agent": "agent",
                    "shift_start": "start",
                    "shift_end": "end",
                    "breaks": "breaks",
                },
            },
        )

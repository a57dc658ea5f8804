"""What-ifs (docs/whatif.md): each recipe moves its KPI the expected way.

Every comparison runs the small ``minimal`` scenario twice with the same seed and pairs
replication k with replication k (common random numbers); a direction is asserted
only when the paired 95 % interval excludes 0. The recipes' command lines in
docs/whatif.md are composed as written, so the page cannot drift from the code.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
import warnings
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from sim import ConfigError, load_config, paired_difference, run_experiment
from sim.config.checks.workforce import overflow_warnings
from sim.config.journey import demand_mix, success_of, volume_factor
from sim.config.workforce import group_size

ROOT = Path(__file__).resolve().parents[1]
REPS = 12
RUN = [f"replications={REPS}", "keep_records=false", "plots=false"]


@cache
def per_rep(*overrides: str):
    """Per-replication KPIs of ``minimal`` with ``overrides`` (cached: baselines are shared)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        cfg = load_config("minimal", [*RUN, *overrides])
    return run_experiment(cfg, progress=False).replications


def values(table, scope: str, metric: str) -> np.ndarray:
    """One KPI's values, by replication."""
    rows = table[(table.scope == scope) & (table.metric == metric)].sort_values("replication")
    return rows["value"].to_numpy(dtype=float)


def paired(base, alt, scope: str, metric: str):
    """(mean, low, high) of alt - base over paired replications."""
    d = paired_difference(base, alt)
    row = d[(d.scope == scope) & (d.metric == metric)].iloc[0]
    return row["mean"], row["ci_low"], row["ci_high"]


def ratio_interval(base, alt, scope: str, metric: str) -> tuple[float, float]:
    """95 % t-interval of the per-replication ratio alt / base."""
    r = values(alt, scope, metric) / values(base, scope, metric)
    half = 2.2 * r.std(ddof=1) / np.sqrt(len(r))  # t(0.975, 11) = 2.20
    return r.mean() - half, r.mean() + half


# ---- demand.scale ------------------------------------------------------------------


def test_doubling_chat_doubles_chat_offered_raises_chat_wait_and_keeps_voice():
    base, alt = per_rep(), per_rep("demand.scale.chat=2")
    lo, hi = ratio_interval(base, alt, "channel:chat", "offered")
    assert lo < 2.0 < hi and lo > 1.7, (lo, hi)
    lo, hi = ratio_interval(base, alt, "channel:voice", "offered")
    assert lo < 1.0 < hi and lo > 0.9, (lo, hi)
    assert paired(base, alt, "queue:chat", "mean_wait")[1] > 0


def test_scaling_a_reason_scales_only_that_reason():
    base, alt = per_rep(), per_rep("demand.scale.billing=0.5")
    lo, hi = ratio_interval(base, alt, "reason:billing", "offered")
    assert lo < 0.5 < hi and hi < 0.6, (lo, hi)
    technical = [values(t, "reason:technical", "offered") for t in (base, alt)]
    assert np.array_equal(*technical)  # its own streams: the very same contacts


def test_scale_zero_removes_a_channel_and_the_mix_is_renormalised():
    cfg = load_config("minimal", ["demand.scale={chat:0,technical:2}"])
    assert cfg.demand.scale == {"chat": 0.0, "technical": 2.0}
    assert demand_mix(cfg.demand, "consumer", "billing") == {"voice": 1.0, "chat": 0.0}
    assert volume_factor(cfg.demand, "consumer", "billing") == pytest.approx(0.7)
    assert volume_factor(cfg.demand, "consumer", "technical") == pytest.approx(1.4)
    assert values(per_rep("demand.scale.chat=0"), "channel:chat", "offered").sum() == 0


def test_the_size_check_sees_the_scaled_demand():
    from sim.config.size import demand_contacts

    base = demand_contacts(load_config("minimal"))
    scaled = demand_contacts(load_config("minimal", ["demand.scale={voice:3,chat:3}"]))
    assert scaled == pytest.approx(3 * base)


def test_scale_is_set_without_plus_with_plus_and_as_one_mapping():
    for ov in (["demand.scale.chat=2"], ["+demand.scale.chat=2"], ["demand.scale={chat:2}"]):
        assert load_config("minimal", ov).demand.scale == {"chat": 2.0}, ov


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("demand.scale.chatt=2", "demand.scale.chatt must name a channel or a reason"),
        ("demand.scale.chat=-1", "demand.scale.chat must be a finite number >= 0, got -1.0"),
        ("demand.self_service_scale=-1", "demand.self_service_scale must be a finite number >= 0"),
    ],
)
def test_bad_scale_is_one_line(override, message):
    with pytest.raises(ConfigError, match=re.escape(message)) as err:
        load_config("minimal", [override])
    assert "\n" not in str(err.value)


# ---- self-service success -----------------------------------------------------------


def test_halving_all_self_service_success_sends_more_voice_to_agents():
    base, alt = per_rep(), per_rep("demand.self_service_scale=0.5")
    assert paired(base, alt, "queue:voice", "offered")[1] > 0
    assert paired(base, alt, "queue:chat", "offered")[1] > 0
    lo, hi = ratio_interval(base, alt, "channel:voice", "self_served")
    assert lo < 0.5 < hi, (lo, hi)


def test_success_scale_of_one_step_leaves_the_others_alone_and_is_capped_at_one():
    base = per_rep()
    off = per_rep("channels.voice.ivr.self_service.success_scale=0")
    assert values(off, "channel:voice", "self_served").sum() == 0
    assert np.array_equal(
        values(off, "channel:chat", "self_served"), values(base, "channel:chat", "self_served")
    )
    cfg = load_config("minimal", ["channels.chat.self_service.success_scale=5"])
    assert success_of(cfg.channels["chat"].self_service, "billing", cfg.demand) == 1.0
    capped = per_rep("channels.chat.self_service.success_scale=5")
    assert np.all(values(capped, "channel:chat", "p_self_served") == 1.0)


def test_success_default_changes_only_the_reasons_without_their_own_value():
    base = per_rep()
    alt = per_rep("channels.voice.ivr.self_service.success.default=0")
    same = values(alt, "reason:billing", "self_served")  # billing has its own 0.4
    assert np.array_equal(same, values(base, "reason:billing", "self_served"))
    assert paired(base, alt, "reason:technical", "self_served")[2] < 0


# ---- agent groups -------------------------------------------------------------------


def test_adding_a_group_with_skills_hours_and_vendor_lowers_the_wait():
    add = ("+vendors.bpo={price:18}", "+agents.chat_extra={count:2,skills:[chat],vendor:bpo}")
    cfg = load_config("minimal", list(add))
    assert cfg.agents["chat_extra"].count == 2 and cfg.agents["chat_extra"].vendor == "bpo"
    base, alt = per_rep(), per_rep(*add)
    assert paired(base, alt, "queue:chat", "mean_wait")[2] < 0
    assert values(alt, "vendor:bpo", "served").min() > 0
    half = per_rep("+agents.chat_extra={count:2,skills:[chat],hours:[0,240]}")
    assert np.allclose(values(half, "group:chat_extra", "mean_staffed"), 1.0)
    shift = "+agents.x={skills:[chat],shifts:[{start:0,end:240,count:2}]}"
    assert group_size(load_config("minimal", [shift]).agents["x"]) == 2


def test_removing_a_group():
    cfg = load_config("default", ["~agents.business_desk"])
    assert "business_desk" not in cfg.agents
    moved = load_config(
        "minimal", ["+agents.chat_new={count:4,skills:[chat]}", "~agents.chat_team"]
    )
    assert list(moved.agents) == ["voice_team", "chat_new"]
    with pytest.raises(ConfigError, match=r"^queues.chat must be served by a group with agents"):
        load_config("minimal", ["agents.chat_team.count=0"])


def test_moving_agents_keeps_headcount_and_shifts_the_wait():
    moves = ("agents.voice_team.count=5", "agents.chat_team.count=5")
    before = load_config("minimal")
    after = load_config("minimal", list(moves))
    total = [sum(group_size(g) for g in c.agents.values()) for c in (before, after)]
    assert total[0] == total[1]
    base, alt = per_rep(), per_rep(*moves)
    heads = [values(t, "all", "headcount") for t in (base, alt)]
    assert np.all(heads[0] == total[0]) and np.array_equal(*heads)
    assert paired(base, alt, "queue:chat", "mean_wait")[2] < 0
    assert paired(base, alt, "queue:voice", "mean_wait")[1] > 0


# ---- overflow -----------------------------------------------------------------------

BACKUP = "+agents.backup={count:3,skills:[chat]}"
OVERFLOW = "routing.overflow=[{queue:voice,after:0.5,groups:[backup]}]"


def test_overflow_after_a_wait_lowers_the_source_wait_and_abandonment():
    base, alt = per_rep(BACKUP), per_rep(BACKUP, OVERFLOW)
    assert paired(base, alt, "queue:voice", "mean_wait")[2] < 0
    assert paired(base, alt, "queue:voice", "p_abandon")[2] < 0
    assert values(alt, "group:backup", "overflowed").min() > 0
    assert values(base, "group:backup", "overflowed").sum() == 0
    assert overflow_warnings(load_config("minimal", [BACKUP, OVERFLOW])) == []


@pytest.mark.parametrize(
    ("overrides", "why"),
    [
        (["routing.overflow=[{queue:voice,after:1,groups:[voice_team]}]"], "serves voice already"),
        (
            [
                "+agents.spare={count:0,skills:[chat]}",
                "routing.overflow=[{queue:voice,groups:[spare]}]",
            ],
            "agents.spare has no agents",
        ),
        (
            [BACKUP, OVERFLOW, "channels.voice.patience={kind:deterministic,mean:0.5}"],
            "every contact of voice abandons within 0.5 min",
        ),
    ],
)
def test_a_rule_that_can_never_fire_warns(overrides, why):
    cfg = load_config("minimal", [*overrides, "replications=1", "horizon=60"])
    (note,) = overflow_warnings(cfg)
    assert "can never fire" in note and why in note, note
    with pytest.warns(UserWarning, match=re.escape(why)):
        run_experiment(cfg, progress=False)


def test_a_rule_with_one_useless_group_says_so():
    rule = "routing.overflow=[{queue:voice,after:1,groups:[backup,voice_team]}]"
    (note,) = overflow_warnings(load_config("minimal", [BACKUP, rule]))
    assert "never fires for a group" in note and "agents.voice_team serves voice" in note


# ---- the command line and the docs ---------------------------------------------------


def test_command_line_adds_a_group_scales_chat_and_prints_the_overflow_warning(tmp_path):
    p = subprocess.run(
        [
            sys.executable,
            "run.py",
            "scenario=minimal",
            "replications=2",
            "horizon=120",
            "plots=false",
            "progress=false",
            "demand.scale.chat=2",
            "+agents.chat_extra={count:2,skills:[chat]}",
            "routing.overflow=[{queue:voice,after:1,groups:[voice_team]}]",
            f"hydra.run.dir={tmp_path / 'run'}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert p.returncode == 0, p.stderr
    assert "chat_extra" in p.stdout
    assert "warning: routing.overflow[0] (voice after 1 min) can never fire" in p.stderr


def test_minimal_scenario_runs_and_serves_both_queues():
    base = per_rep()
    for q in ("voice", "chat"):
        assert values(base, f"queue:{q}", "served").min() > 0


def recipe_lines() -> list[list[str]]:
    """The command lines of the recipe table in docs/whatif.md (after ``./dev run``)."""
    text = (ROOT / "docs" / "whatif.md").read_text()
    found = re.findall(r"^\|[^|]*\|\s*`\./dev run ([^`]*)`", text, re.M)
    return [shlex.split(line) for line in found]


def test_every_recipe_in_the_docs_composes_as_written():
    lines = recipe_lines()
    assert len(lines) >= 8
    for line in lines:
        load_config(None, line)  # raises ConfigError if a recipe broke


def test_the_own_scenario_page_shows_the_minimal_file_as_it_is():
    page = (ROOT / "docs" / "own_scenario.md").read_text()
    assert (ROOT / "configs" / "scenario" / "minimal.yaml").read_text() in page


def test_readme_recipes_are_rows_of_the_checked_table():
    text = (ROOT / "README.md").read_text().split("## What-ifs", 1)[1].split("\n## ", 1)[0]
    lines = re.findall(r"^\|[^|]*\|\s*`\./dev run ([^`]*)`", text, re.M)
    assert len(lines) >= 5
    checked = [shlex.join(line) for line in recipe_lines()]
    for line in lines:
        assert shlex.join(shlex.split(line)) in checked, line

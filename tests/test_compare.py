"""Comparisons an executive can read: ``compare``, fair experiments, the HTML and Excel reports.

- ``compare`` refuses runs of different seeds, replication counts or horizons
  (one line, exit 2, nothing written), unless ``--allow-mixed`` (then unpaired);
  a sweep's report holds only the current sweep's jobs;
- the outsourcing experiment keeps headcount and paid hours equal across shares;
- the report names the baseline, colours by better / worse for each KPI,
  has the net-value line, headcount rows and a summary made from the numbers;
  it renders in headless Chromium, and its Excel twin holds the same numbers.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim import load_config
from sim.config.study import StudyConfig
from sim.report.comparison import build
from sim.report.names import judged, kpi_label
from sim.study.compare import load_jobs
from sim.study.folders import MANIFEST
from sim.workforce.headcount import headcount_rows

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SHARES = (0.0, 0.5, 1.0)
VOICE = ("voice_agents", "voice_onshore", "voice_offshore")


def run(*args: str, ok: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=900
    )
    if ok:
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    return done


def compare(*args: str, ok: bool = True) -> subprocess.CompletedProcess:
    return run("-m", "sim.cli.compare", *args, ok=ok)


def single(out: Path, *overrides: str) -> Path:
    run("run.py", "scenario=mmc", "progress=false", "plots=false", f"hydra.run.dir={out}",
        *overrides)  # fmt: skip
    return out


@pytest.fixture(scope="module")
def mix(tmp_path_factory) -> Path:
    """The outsourcing experiment, three shares, three replications of the default day."""
    out = tmp_path_factory.mktemp("compare") / "outsourcing_mix"
    shares = ",".join(str(s) for s in SHARES)
    done = run(
        "run.py",
        "experiment=outsourcing_mix",
        "replications=3",
        f"params.inhouse_share={shares}",
        f"hydra.sweep.dir={out}",
    )
    (out / "stdout.txt").write_text(done.stdout)
    return out


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("runs")
    short = ("replications=4",)
    return {
        "a": single(base / "a", *short),
        "b": single(base / "b", *short, "servers=52"),
        "seed": single(base / "seed", *short, "servers=52", "seed=7"),
        "reps": single(base / "reps", "replications=3", "servers=52"),
    }


# --- fairness -----------------------------------------------------------------------------


@pytest.mark.parametrize("share", [0.0, 0.25, 0.5, 0.75, 1.0])
def test_every_inhouse_share_keeps_the_voice_headcount(share):
    cfg = load_config("outsourcing_mix", [f"params.inhouse_share={share}"])
    counts = [cfg.agents[g].count for g in VOICE]
    assert sum(counts) == cfg.params["voice_agents"], counts
    assert counts[0] == round(cfg.params["voice_agents"] * share)


def test_the_experiment_reports_equal_headcount_and_paid_hours(mix):
    jobs = load_jobs(mix)
    assert len(jobs) == len(SHARES)
    heads, hours = set(), set()
    for j in jobs:
        k = j.kpis.set_index(["scope", "metric"])["mean"]
        heads.add(k[("all", "headcount")])
        voice = sum(k[(f"group:{g}", "paid_hours")] for g in VOICE)
        hours.add(round(voice, 6))
    assert len(heads) == 1
    # paid hours differ only by overtime (agents finishing a call after their hours)
    assert max(hours) - min(hours) < 0.02 * max(hours)


def test_paid_hours_and_fte_follow_the_schedule_and_fte_hours():
    cfg = load_config("mmc", ["replications=1", "horizon=600", "warmup=0", "servers=10"])
    rows = [("group:agents", "mean_staffed", 10.0), ("group:agents", "overtime", 0.5)]
    out = {(s, m): v for s, m, v in headcount_rows(cfg, rows)}
    assert out[("group:agents", "headcount")] == 10
    assert out[("group:agents", "paid_hours")] == pytest.approx(10.5 * 600 / 60)
    assert out[("group:agents", "fte")] == pytest.approx(105 / 8)  # a window under a day
    cfg.fte_hours = 7.0
    out = {(s, m): v for s, m, v in headcount_rows(cfg, rows)}
    assert out[("all", "fte")] == pytest.approx(105 / 7)


# --- compare ------------------------------------------------------------------------------


def test_compare_two_runs_writes_the_paired_table_and_reports(runs, tmp_path):
    out = tmp_path / "ab"
    done = compare(str(runs["a"]), str(runs["b"]), "--out", str(out))
    assert "a (baseline)" in done.stdout and "servers=52" in done.stdout
    assert "paired" in done.stdout
    for name in ("report.html", "report.xlsx", "differences.csv", "summary.txt", MANIFEST):
        assert (out / name).is_file(), name
    diff = pd.read_csv(out / "differences.csv").set_index(["scope", "metric"])
    a = pd.read_csv(runs["a"] / "replications.csv")
    b = pd.read_csv(runs["b"] / "replications.csv")
    sl = [
        f[(f.scope == "live") & (f.metric == "service_level")].sort_values("replication")["value"]
        for f in (a, b)
    ]
    assert diff.loc[("live", "service_level"), "mean"] == pytest.approx(
        (sl[1].to_numpy() - sl[0].to_numpy()).mean()
    )
    assert diff.loc[("live", "service_level"), "significant"]  # 2 more agents: a real gain


@pytest.mark.parametrize("other, setting", [("seed", "seed"), ("reps", "replications")])
def test_compare_refuses_runs_that_are_not_pairs(runs, tmp_path, other, setting):
    out = tmp_path / "mixed"
    done = compare(str(runs["a"]), str(runs[other]), "--out", str(out), ok=False)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and f"runs differ in {setting}" in lines[0]
    assert "--allow-mixed" in lines[0]
    assert not out.exists()
    allowed = compare(str(runs["a"]), str(runs[other]), "--out", str(out), "--allow-mixed")
    assert "UNPAIRED" in allowed.stdout
    assert "unpaired" in (out / "report.html").read_text()


def test_compare_never_writes_into_a_folder_of_the_users(runs, tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.txt").write_text("mine")
    done = compare(str(runs["a"]), str(runs["b"]), "--out", str(out), ok=False)
    assert done.returncode == 2 and "--overwrite" in done.stderr
    assert sorted(p.name for p in out.iterdir()) == ["thesis.txt"]


def test_a_single_run_or_a_missing_folder_is_one_line(runs, tmp_path):
    for args in ([str(runs["a"])], [str(runs["a"]), str(tmp_path / "nope")]):
        done = compare(*args, ok=False)
        assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1


def test_a_sweeps_report_holds_only_the_current_sweeps_jobs(tmp_path):
    out = tmp_path / "sweep"
    small = ["experiment=pooling", "replications=2", "horizon=120", f"hydra.sweep.dir={out}"]
    run("run.py", *small, "params.flexible=0,2")
    run("run.py", *small, "params.flexible=4,10")
    assert len([p for p in out.iterdir() if (p / MANIFEST).is_file()]) == 4  # stale jobs stay
    done = compare(str(out))
    labels = {j.label for j in load_jobs(out)}
    assert labels == {"4 flexible per team", "10 flexible per team"}
    for text in (done.stdout, (out / "report.html").read_text()):
        assert "2 flexible per team" not in text and "10 flexible per team" in text
        assert "4 flexible per team (baseline)" in text
        assert "0 flexible per team" in text and "is not a job of this sweep" in text
    named = compare(str(out), "--baseline", "0 flexible per team", ok=False)
    assert named.returncode == 2 and "is not a job of this sweep" in named.stderr


def test_a_sweep_over_seeds_is_reported_unpaired_and_says_so(tmp_path):
    out = tmp_path / "seeds"
    run("run.py", "experiment=pooling", "replications=2", "horizon=120", "params.flexible=0",
        "seed=1,2", f"hydra.sweep.dir={out}")  # fmt: skip
    page = (out / "report.html").read_text()
    assert "differ in seed" in page and "unpaired (Welch)" in page
    labels = [j.label for j in load_jobs(out)]
    assert len(set(labels)) == 2  # told apart by their folders


# --- the report ---------------------------------------------------------------------------


def test_better_and_worse_follow_the_kpi_not_the_sign():
    assert judged("total", -100.0, True) == "better"  # a cost saving
    assert judged("fcr", -0.02, True) == "worse"
    assert judged("asa", 0.1, True) == "worse"
    assert judged("service_level", 0.1, True) == "better"
    assert judged("fcr", -0.02, False) == "same"
    assert judged("offered", 10.0, True) == "neutral"


def test_kpi_labels_are_friendly_and_print_the_service_level_threshold():
    cfg = load_config("default", [])
    assert kpi_label("all", "fcr", cfg) == "All contacts: First-contact resolution (%)"
    assert (
        kpi_label("channel:voice", "service_level", cfg) == "Voice: Service level within 20 s (%)"
    )
    assert "within 1 min" in kpi_label("channel:chat", "service_level", cfg)
    assert "within 1 day" in kpi_label("channel:email", "service_level", cfg)
    assert "voice 20 s, chat 1 min" in kpi_label("live", "service_level", cfg)


def test_the_report_names_the_baseline_colours_and_summarises(mix):
    page = (mix / "report.html").read_text()
    assert "Baseline <b>1.0 in-house</b>" in page
    assert "1.0 in-house (baseline)" in page
    c = build(load_jobs(mix), _study(mix))
    saving = c.diff[(c.diff.job == "0.0 in-house") & (c.diff.metric == "total")].iloc[0]
    fcr = c.diff[(c.diff.job == "0.0 in-house") & (c.diff.metric == "fcr")].iloc[0]
    assert saving["mean"] < 0 and saving.significant  # outsourcing is cheaper
    cells = re.findall(r'<td class="(better|worse|same|neutral)">', page)
    assert "better" in cells and "worse" in cells
    text = c.text["0.0 in-house"]
    better, _, rest = text.partition("Better:")[2].partition("Worse:")
    assert "Total cost" in better
    if fcr.significant:
        assert "First-contact resolution" in rest.split("No significant")[0]
    else:
        assert "First-contact resolution" in text.split("No significant difference:")[1]
    assert "Net value" in text and "Net value" in page
    assert "Workforce: headcount, paid hours, FTE" in page


def _study(mix: Path) -> StudyConfig:
    from sim.cli.compare import _saved_study

    return _saved_study(mix)


def test_net_value_is_the_saving_minus_a_year_of_revenue_lost(mix):
    c = build(load_jobs(mix), _study(mix))
    for j in c.jobs:
        if j is c.base:
            continue
        k = j.kpis.set_index(["scope", "metric"])["mean"]
        b = c.base.kpis.set_index(["scope", "metric"])["mean"]
        want = (b[("cost", "total")] - k[("cost", "total")]) - (
            k[("churn", "revenue_lost_year")] - b[("churn", "revenue_lost_year")]
        )
        got = c.net[c.net.job == j.label].iloc[0]
        assert got["mean"] == pytest.approx(want, rel=1e-9)
        assert got.ci_low < got["mean"] < got.ci_high


def test_the_excel_workbook_holds_the_reports_numbers(mix):
    from openpyxl import load_workbook

    book = load_workbook(mix / "report.xlsx")
    assert {"Summary", "KPIs", "Differences", "Net value", "Workforce", "Costs"} <= set(
        book.sheetnames
    )
    c = build(load_jobs(mix), _study(mix))
    diff = pd.read_excel(mix / "report.xlsx", sheet_name="Differences")
    assert len(diff) == len(c.diff)
    merged = diff.merge(c.diff, left_on=["scenario", "scope", "metric"],
                        right_on=["job", "scope", "metric"])  # fmt: skip
    assert len(merged) == len(c.diff)
    assert (merged["difference"] - merged["mean"]).abs().max() < 1e-9
    ws = book["Differences"]
    header = [cell.value for cell in ws[1]]
    verdict = header.index("verdict")
    fills = {
        row[verdict].value: row[0].fill.fgColor.rgb for row in ws.iter_rows(min_row=2) if row[0]
    }
    assert fills["better"].endswith("DDF3D5") and fills["worse"].endswith("F8D7D7")
    work = pd.read_excel(mix / "report.xlsx", sheet_name="Workforce")
    assert set(work.metric) >= {"headcount", "paid_hours", "fte"}


def test_the_sweep_prints_progress_and_the_terminal_summary(mix):
    text = (mix / "stdout.txt").read_text()
    assert f"[{len(SHARES)}/{len(SHARES)} jobs done]" in text
    assert "1.0 in-house (baseline)" in text and "Net value" in text


PROBE = """<script>
window.addEventListener('load', () => {
  const imgs = [...document.images].map(i => [i.complete, i.naturalWidth, i.naturalHeight]);
  const better = document.querySelectorAll('td.better').length;
  const worse = document.querySelectorAll('td.worse').length;
  const tips = [...document.querySelectorAll('td[title]')].length;
  const colour = better ? getComputedStyle(document.querySelector('td.better')).color : '';
  const pre = document.createElement('pre'); pre.id = 'probe';
  pre.textContent = JSON.stringify({imgs, better, worse, tips, colour});
  document.body.appendChild(pre);
});
</script></body>"""


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
def test_the_outsourcing_report_renders_in_headless_chromium(mix, tmp_path):
    page = (mix / "report.html").read_text().replace("</body>", PROBE)
    probed = tmp_path / "probed.html"
    probed.write_text(page)
    flags = ["--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp_path / 'p'}"]
    dom = subprocess.run(
        [CHROMIUM, *flags, "--virtual-time-budget=10000", "--dump-dom", probed.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
    )
    found = re.search(r'<pre id="probe">(.*?)</pre>', dom.stdout, re.S)
    assert found, dom.stderr[-2000:]
    probe = json.loads(found.group(1).replace("&quot;", '"'))
    assert len(probe["imgs"]) >= 5
    assert all(done and w > 100 and h > 100 for done, w, h in probe["imgs"])
    assert probe["better"] > 0 and probe["worse"] > 0 and probe["tips"] > 10
    assert probe["colour"] == "rgb(10, 110, 10)"  # green for better

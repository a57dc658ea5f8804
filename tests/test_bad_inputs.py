"""Every bad input: one line naming the key, the value and the rule; exit 2; nothing written.

The cases live in tests/bad_inputs.py (and, with the messages as given, in
docs/reliability.md). Each goes through the command line, in this process
(``sim.cli.main``, what ``python run.py`` calls) with the output folder set to a
folder that must not appear, and through the Python API, which must raise
``ConfigError`` with the same message. A sample also runs as a real
``python run.py`` subprocess.
"""

from __future__ import annotations

import contextlib
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest

from sim import ConfigError, load_config, run_experiment
from sim.config.errors import SizeError
from tests.bad_inputs import CASES, CLI_CASES

ROOT = Path(__file__).resolve().parents[1]
FILES = {
    "brace.yaml": "# @package _global_\nname: {a: 1\n",
    "dupkey.yaml": "# @package _global_\nname: a\nname: b\n",
    "tab.yaml": "# @package _global_\nname: a\n\tseed: 3\n",
    "wrongtype.yaml": "# @package _global_\ndefaults:\n  - mmc\n  - _self_\nservers: abc\n",
    "unknownkey.yaml": "# @package _global_\ndefaults:\n  - mmc\n  - _self_\nnme: a\n",
}


@pytest.fixture(scope="module")
def confdir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("userconf")
    (root / "scenario").mkdir()
    for name, text in FILES.items():
        (root / "scenario" / name).write_text(text)
    return root


def fill(items: list[str], confdir: Path) -> list[str]:
    return [i.replace("{confdir}", str(confdir)) for i in items]


def matches(message: str, expected: str, confdir: Path) -> bool:
    expected = expected.replace("{confdir}", str(confdir))
    if expected.startswith("re:"):
        return re.fullmatch(expected[3:], message) is not None
    return message == expected


def tree(path: Path) -> list[str]:
    return sorted(str(p.relative_to(path)) for p in path.rglob("*"))


@pytest.fixture(scope="module")
def results_untouched():
    before = tree(ROOT / "results")
    yield
    assert tree(ROOT / "results") == before


def cli(argv: list[str]) -> tuple[int, str, str]:
    import run  # run.py: the Hydra entry point the command line uses
    from sim.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv, run.hydra_main)
    return code, out.getvalue(), err.getvalue()


ALL = [(c, a, m) for c, a, m in CASES + CLI_CASES]
FIRST_OF_EACH_CLASS = list({kind: (kind, a, m) for kind, a, m in reversed(ALL)}.values())


def _cli_params():
    """Every case through the command line in this process; in the default run only the
    command-line-only cases, the first of each kind and every tenth case: the others'
    messages are checked through the Python API below (the same ``load_config`` that the
    command line calls), and all of them with ``./dev test-all``."""
    sampled = {tuple(a) for _, a, _ in FIRST_OF_EACH_CLASS} | {tuple(a) for _, a, _ in CLI_CASES}
    sampled |= {tuple(a) for _, a, _ in ALL[::10]}
    return [
        pytest.param(k, a, m, id=" ".join(a), marks=[] if tuple(a) in sampled else pytest.mark.slow)
        for k, a, m in ALL
    ]


def test_there_are_at_least_sixty_distinct_bad_inputs():
    assert len({tuple(a) for _, a, _ in ALL}) >= 60


@pytest.mark.parametrize(("kind", "argv", "message"), _cli_params())
def test_the_command_line_gives_one_line_exit_2_and_writes_nothing(
    kind, argv, message, confdir, tmp_path, results_untouched
):
    out = tmp_path / "out"
    code, stdout, stderr = cli([*fill(argv, confdir), f"hydra.run.dir={out}"])
    lines = stderr.strip().splitlines()
    assert code == 2, stderr
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    assert matches(lines[0].removeprefix("error: "), message, confdir), lines[0]
    assert stdout == ""
    assert not out.exists()


def _api_args(argv: list[str]) -> tuple[list[str], str | None]:
    if "--config-dir" in argv:
        i = argv.index("--config-dir")
        return argv[:i] + argv[i + 2 :], argv[i + 1]
    return argv, None


@pytest.mark.parametrize(("kind", "argv", "message"), CASES, ids=[" ".join(a) for _, a, _ in CASES])
def test_the_python_api_raises_config_error_with_the_same_line(kind, argv, message, confdir):
    overrides, config_dir = _api_args(fill(argv, confdir))
    with pytest.raises(ConfigError) as err:
        load_config(None, overrides, config_dir=config_dir)
    assert matches(str(err.value), message, confdir), str(err.value)
    assert "\n" not in str(err.value)


MUTATIONS = [
    (lambda c: setattr(c, "servers", "abc"), "servers must be a whole number, got 'abc'"),
    (lambda c: setattr(c, "servers", 2.5), "servers must be a whole number, got 2.5"),
    (
        lambda c: setattr(c, "horizon", "10h"),
        "horizon must be a number of minutes when set on a built configuration (a duration such "
        "as '365d' is read by load_config and Config(...)), got '10h'",
    ),
    (
        lambda c: setattr(c, "horizon", None),
        "horizon must be minutes or a duration with a unit (m, min, h, d, w), e.g. 600, '12h', "
        "'365d', '2w', got None",
    ),
    (lambda c: setattr(c, "drain", "yes"), "drain must be true or false, got 'yes'"),
    (lambda c: setattr(c, "replications", True), "replications must be a whole number, got True"),
    (
        lambda c: setattr(c.queues["calls"].service, "mean", "x"),
        "queues.calls.service.mean must be a number, got 'x'",
    ),
    (
        lambda c: setattr(c.routing, "agent_policy", "fastest"),
        "routing.agent_policy must be one of fastest, longest_idle, preferred_group, got 'fastest'",
    ),
    (
        lambda c: c.agents.__setitem__("more", 5),
        "agents.more must be a mapping of agent group settings, got 5",
    ),
    (
        lambda c: setattr(c.queues["calls"].arrival, "profile", "flat"),
        "queues.calls.arrival.profile must be a list, got 'flat'",
    ),
    (lambda c: setattr(c, "name", "../x"), "name must be a plain name"),
]


@pytest.mark.parametrize(("mutate", "message"), MUTATIONS)
def test_a_config_changed_in_python_is_checked_before_the_run(mutate, message):
    cfg = load_config("mmc", ["replications=1", "horizon=60", "warmup=0"])
    mutate(cfg)
    with pytest.raises(ConfigError) as err:
        run_experiment(cfg)
    assert str(err.value).startswith(message)


def test_the_same_type_error_reads_the_same_from_the_command_line_and_from_python(tmp_path):
    _, _, stderr = cli(["scenario=mmc", "servers=abc", f"hydra.run.dir={tmp_path / 'o'}"])
    cfg = load_config("mmc")
    cfg.servers = "abc"
    with pytest.raises(ConfigError) as err:
        run_experiment(cfg)
    assert stderr.strip() == f"error: {err.value}"


def test_force_runs_a_run_beyond_the_work_bound_but_not_one_that_cannot_fit():
    big = ["horizon=10000000", "keep_records=false"]
    with pytest.raises(SizeError):
        load_config("mmc", big)
    assert load_config("mmc", [*big, "force=true"]).force
    with pytest.raises(SizeError, match="cannot run here"):
        load_config("mmc", ["horizon=1e9", "force=true"])


@pytest.mark.parametrize(("kind", "argv", "message"), FIRST_OF_EACH_CLASS)
def test_a_real_command_line_exits_2_with_one_line_and_no_traceback(
    kind, argv, message, confdir, tmp_path
):
    out = tmp_path / "out"
    p = subprocess.run(
        [sys.executable, "run.py", *fill(argv, confdir), f"hydra.run.dir={out}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert p.returncode == 2
    assert p.stdout == "" and "Traceback" not in p.stderr
    (line,) = p.stderr.strip().splitlines()
    assert matches(line.removeprefix("error: "), message, confdir)
    assert not out.exists()


def test_the_reliability_page_lists_every_case_with_the_message_the_code_gives(confdir):
    rows = [
        [c.strip() for c in line.split(" | ")]
        for line in (ROOT / "docs" / "reliability.md").read_text().splitlines()
        if re.match(r"^\| \d+ \|", line)
    ]
    assert len(rows) == len(ALL)
    for (number, kind, command, message), (k, argv, expected) in zip(rows, ALL, strict=True):
        assert kind == k, number
        assert command == f"`{' '.join(argv).replace('{confdir}', '<user dir>')}`", number
        shown = message.removesuffix(" |").replace("<user dir>", str(confdir))
        assert matches(shown, expected, confdir), number

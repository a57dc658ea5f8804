"""Schema of an experiment (a study): what a sweep compares and how its report reads."""

from __future__ import annotations

from dataclasses import dataclass, field

# Waiting KPIs over ``live`` (live channels and textbook queues; ``all`` when there
# are no deferred channels), never a mix with e-mail; volumes and occupancy over ``all``.
DEFAULT_KPIS = [
    "all/offered",
    "live/service_level",
    "live/p_abandon",
    "live/asa",
    "live/mean_wait",
    "all/occupancy",
]


@dataclass
class StudyConfig:
    """An experiment: a base scenario, factors swept by Hydra, and its report.

    Attributes:
        name: the experiment's name (its folder under ``results/experiments/``);
            empty for a plain run.
        title: the report's heading.
        question: what the experiment asks, in one or two sentences.
        label: how a job is named in the report (interpolations allowed,
            e.g. ``"${servers} agents"``); empty = its overrides.
        x: a config key whose value places each job on the x axis of the
            report's curves (e.g. ``servers``); empty = categories.
        baseline: the label of the job the others are compared with
            (paired differences on common random numbers); empty = the first.
        kpis: ``scope/metric`` pairs shown in the tables and curves.
        analysis: an extra report section, ``module:function`` taking the
            study's jobs and returning ``(title, html)``.
    """

    name: str = ""
    title: str = ""
    question: str = ""
    label: str = ""
    x: str = ""
    baseline: str = ""
    kpis: list[str] = field(default_factory=lambda: list(DEFAULT_KPIS))
    analysis: str = ""

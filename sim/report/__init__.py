"""Stage 11: reports: terminal tables, plots, results on disk, the experiment report.

``text`` (the terminal report), ``plots`` (a run's PNG figures), ``gantt``
(the agent-day Gantt), ``journey`` (one issue's legs as a table and a
timeline: ``sim.journey``), ``io`` (writing a run's tables and plots through
:mod:`sim.study.folders`), ``comparison`` (a comparison of finished runs,
computed once), ``summary`` (its plain-language paragraphs), ``names`` (KPI
labels, units, definitions, which way is better), ``html`` and ``excel`` (the
experiment report and its workbook), ``callbacks`` (the Hydra callback that
writes them when a sweep ends).
May import: ``sim.config``, ``sim.metrics``, ``sim.study``; nothing of the engine.
"""

"""Stage 11: reports: terminal tables, plots, results on disk, the experiment report.

``text`` (the terminal report), ``plots`` (a run's PNG figures), ``io``
(writing a run's tables and plots through :mod:`sim.study.folders`),
``html`` (the self-contained HTML report of an experiment), ``callbacks``
(the Hydra callback that writes it when a sweep ends).
May import: ``sim.config``, ``sim.metrics``, ``sim.study``; nothing of the engine.
"""

"""Stage 10: studies over many runs: output folders, sweep jobs, comparisons, the optimizer.

``folders`` (output folders a run owns: staging, manifest, lock),
``jobs`` (configuration digests, job-folder names, the sweep's manifest),
``compare`` (finished jobs side by side and paired with a baseline),
``optimize`` (fewest agents per interval by simulation).
May import: ``sim.config``, ``sim.core``, ``sim.demand``, ``sim.analytic``, ``sim.metrics``,
``sim.runner``.
"""

"""Stage 7: records and tables: the collector and everything measured from it.

``records`` (the collector: one flat record per contact leg, in columnar
chunks; the per-contact and level tables), ``aggregates`` (strata, the
statistics window, additive partial aggregates), ``reduce`` (a chunk of
records into aggregates), ``kpis`` (KPI definitions and tables),
``cases`` (issue-level aggregates), ``stats`` (confidence intervals inside a
KPI's bounds, paired differences), ``thresholds`` (the service-level threshold
of each scope), ``theory`` (exact textbook values beside the simulation),
``results`` (what a run produced).
May import: ``sim.config``, ``sim.core``, ``sim.outcomes``, ``sim.analytic``; never the
engine's stages (demand, journey, routing, workforce).
"""

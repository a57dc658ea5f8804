"""Stage 12: a centre's own data: load its logs and reports, estimate, calibrate, backtest.

``logs`` (a contact log in any layout, through a column mapping, into one
tidy table), ``reports`` (ACD interval reports, staffing tables, rosters),
``estimate`` (arrival rates and day-level overdispersion, service-time fits,
patience from censored waits), ``staffing`` (effective staffing reconstructed
from the log), ``calibrate`` (a scenario file from the estimates, with a
report), ``backtest`` (the calibrated scenario against the log and Erlang A).
May import: ``sim.config``, ``sim.analytic``, ``sim.core``, ``sim.metrics``,
``sim.runner``, ``sim.study``, ``sim.report``.
"""

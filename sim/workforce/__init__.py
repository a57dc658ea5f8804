"""Stage 5: the agents' time: shifts, breaks, absence, shrinkage, stress.

``shifts`` (each agent's days as alarm callbacks: on, off, breaks, absence,
replacement), ``scheduling`` (requirements per interval and shift covering),
``stress`` (per-agent acute stress and chronic strain), ``stress_router``
(the router with stress effects on handle time and quality).
May import: ``sim.config``, ``sim.core``, ``sim.routing``, ``sim.analytic``.
"""

"""Stage 1: what every part of the model uses: contacts and agents, the clock, random streams.

``entities`` (contacts, agents, issues and outcome codes), ``clock`` (cheap
reusable wake-ups on SimPy's queue), ``rng`` (named random streams),
``distributions`` (durations and buffered samplers), ``calendar`` (days and
daily windows), ``processes`` (workers that die with their parent).
May import: ``sim.config``.
"""

"""Stage 2: demand: the customer base's contacts, when they arrive and what they carry.

``tables`` (arrival rate tables per segment and reason: base x rates x
intraday, weekly, busyness, growth, surges), ``arrivals`` (Poisson and
non-homogeneous Poisson arrival streams by inversion), ``sources`` (the
contacts: channel, handle time, patience and journey draws at arrival).
May import: ``sim.config``, ``sim.core``.
"""

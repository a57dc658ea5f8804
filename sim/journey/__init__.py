"""Stage 3: the front door between arrival and the agent queues: IVR, self-service, routes.

``front_door`` (IVR menus and ports, IVR and channel self-service, channel
switches and retries, opening hours, misrouting with a transfer).
May import: ``sim.config``, ``sim.core``, ``sim.demand``.
"""

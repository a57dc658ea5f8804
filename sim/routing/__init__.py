"""Stage 4: skill-based routing: waiting contacts, idle agents, services.

``policies`` (the routing rules as pure functions and the static plan),
``router`` (applies them: admit, start, finish, abandon, block, overflow),
``slots`` (agents holding several chats), ``callback`` (virtual hold).
May import: ``sim.config``, ``sim.core``.
"""

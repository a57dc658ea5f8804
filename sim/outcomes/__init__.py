"""Stage 6: what contacts lead to: resolution, repeats, satisfaction, churn, costs.

``resolution`` (resolution of each contact, repeat contacts, the case log),
``satisfaction`` (satisfaction, survey answers and churn of an issue),
``costs`` (labour, vendors, self-service, IVR, telephony, governance, churn).
May import: ``sim.config``, ``sim.core``.
"""

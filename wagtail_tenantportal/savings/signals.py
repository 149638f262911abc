"""Signals of the savings app. Arguments are documented; receivers must not assume more.

``exemption_request_confirmed``: sent inside the transaction in which staff confirmed a
    tenant's exemption order request (new, changed or withdrawn for one year); the orders are
    written already.
    sender: the ``ExemptionRequest`` class; ``request``: the confirmed ``ExemptionRequest``
    (``party``, ``partner``, ``company`` and ``order`` loadable).
"""

from django.dispatch import Signal

exemption_request_confirmed = Signal()

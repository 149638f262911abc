"""Signals of the accounts app. Arguments are documented; receivers must not assume more.

``code_requested``: a tenant asked online for a registration code (see
``services.request_code``). sender: the ``CodeRequest`` class; ``request``: the new
``CodeRequest`` (``party``/``contract`` empty when the details matched nobody). Sent after
the request is saved; connect a receiver to notify staff.
"""

from django.dispatch import Signal

code_requested = Signal()

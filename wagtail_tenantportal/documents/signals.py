"""Signals of the documents app. Arguments are documented; receivers must not assume more.

``document_requested``: sent inside the transaction in which a tenant requested a document
    from the company's catalogue (copy of the rental contract, house rules, ...).
    sender: the ``DocumentRequest`` class; ``request``: the new ``DocumentRequest``
    (``contract``, ``request_type`` and ``company`` loadable).
"""

from django.dispatch import Signal

document_requested = Signal()

"""Signals of the tenancy app. Arguments are documented; receivers must not assume more.

``bank_details_approved``: sent inside the transaction in which staff approved a tenant's
    bank-details change (the contract holds the new account already).
    sender: the ``BankDetailsChange`` class; ``change``: the approved ``BankDetailsChange``
    (its ``contract`` and ``company`` loaded or loadable).
"""

from django.dispatch import Signal

bank_details_approved = Signal()

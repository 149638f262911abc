"""Public signals. Arguments are documented; receivers must not assume more.

``master_data_imported``: sent after an ERP master-data import was committed.
    sender: the ``ImportRun`` class; ``run``: the ``ImportRun`` record; ``result``: the
    ``ImportResult`` with counts per entity.
"""

from django.dispatch import Signal

master_data_imported = Signal()

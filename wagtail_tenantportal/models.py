"""Models of the package's root app (label ``wagtail_tenantportal``): the outbox.

They are defined in the core layer (``core/outbox_models.py``), where mail, deferred tasks and
the ERP link write to them; Django finds an app's models in its ``models`` module, so they are
imported here. See ``docs/outbox.md`` for why the outbox belongs to the root app.
"""

from .core.outbox_models import OutboxMessage, OutboxWorker

__all__ = ["OutboxMessage", "OutboxWorker"]

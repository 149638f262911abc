"""The portal's blocks for a host's StreamField, all at once.

Each sub-app defines its blocks in ``<app>/blocks.py`` (on the base class
``wagtail_tenantportal.core.blocks.PortalBlock``) and lists them in ``PORTAL_BLOCKS``. Hosts add
every block of the installed sub-apps with :func:`portal_blocks`::

    body = StreamField([("text", blocks.RichTextBlock()), *portal_blocks()])
"""

from importlib import import_module

from django.apps import apps

from .core.blocks import PortalBlock  # noqa: F401  (the base class, for hosts' own blocks)

#: The sub-apps whose ``blocks.PORTAL_BLOCKS`` :func:`portal_blocks` collects, in this order.
BLOCK_APPS = (
    "dashboard",
    "accounts",
    "tickets",
    "documents",
    "tenancy",
    "notices",
    "consumption",
    "savings",
)


def portal_blocks(*, exclude=()):
    """``(name, block)`` pairs of every portal block of the installed sub-apps.

    For a host's StreamField: ``StreamField([..., *portal_blocks()])``. ``exclude`` leaves
    out blocks by name (e.g. ``exclude=("savings",)``). Each sub-app lists its blocks in
    ``PORTAL_BLOCKS`` in its ``blocks`` module.
    """
    pairs = []
    for app in BLOCK_APPS:
        if not apps.is_installed(f"wagtail_tenantportal.{app}"):
            continue
        try:
            module = import_module(f"wagtail_tenantportal.{app}.blocks")
        except ModuleNotFoundError:
            continue
        for name, block_class in getattr(module, "PORTAL_BLOCKS", ()):
            if name not in exclude:
                pairs.append((name, block_class()))
    return pairs

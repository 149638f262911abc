"""The portal's lowest layer: what every sub-app shares, importing none of them.

Settings (``conf``), system checks, the site policy's base (``adapter``), public signals,
session states and guards (``session``), ownership (``ownership``), page and block base
classes (``pages``, ``blocks``), the overview's widget protocol (``widgets``), template context,
mail, private storage and downloads, attempt limits, the letterhead and theming. Where the core
needs an answer only a higher layer knows, that layer registers it here (``session``,
``ownership``). See docs/architecture.md.
"""

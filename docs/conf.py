"""Sphinx configuration: MyST Markdown, warnings are errors in CI (`make docs` runs with -W)."""

import os
import sys

sys.path.insert(0, os.path.abspath(".."))

from wagtail_tenantportal import __version__  # noqa: E402  (after the path is set)

project = "wagtail-tenantportal"
author = "wagtail-tenantportal contributors"
copyright = "wagtail-tenantportal contributors"  # noqa: A001  (Sphinx's name)
release = __version__
version = ".".join(__version__.split(".")[:2])

extensions = ["myst_parser"]
source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]

# Anchors for headings down to level 3, so pages can link to `settings.md#base_template`.
myst_heading_anchors = 3
myst_enable_extensions = ["colon_fence", "deflist"]

language = "en"
html_theme = "alabaster"
html_title = f"wagtail-tenantportal {release}"
html_static_path = []

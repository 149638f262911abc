"""Models of the dashboard app: only the page type (widgets come from the other sub-apps)."""

from .pages import DashboardPage  # noqa: F401  (page types live with their sub-app)

"""The REST API for the cooperatives' apps and headless front ends (Django REST framework).

A layer above the feature apps and the dashboard: it calls their services, never their views.
Mounted by the package's URLconf under ``api/v1/`` when ``wagtail_tenantportal.api`` is
installed. See docs/api.md.
"""

"""wagtail-tenantportal: a tenant portal (Mieterportal) for housing cooperatives on Wagtail."""

__version__ = "0.1.0.dev0"

"""The admin toolkit: what the staff admin of every sub-app is built from.

The layer above ``core``: it imports only ``core``, Django and Wagtail, and takes app
specifics as class attributes or arguments. ``viewsets`` (the portal's model viewset with
shaped listings, inspect sections, prefilled forms and the one overridable queryset),
``choosers`` (choosers searching the database), ``uploads`` (the CSV upload page with
dry run, partial import, summary and error table), ``utils`` (columns, links, counts,
labels, staff users) and ``menu`` (the "Tenant portal" menu group and its hook).

Deliberately empty: ``django.contrib.admin`` imports every installed app's ``admin``
module, so this package must have no side effects on import.
"""

"""How the tenant's document list is filtered and grouped (by contract and category).

Helpers without queries for ``services.document_list_context`` (which runs the queries,
every one starting from ``Document.objects.visible_to(user)``): the filter form, the grouping
of the documents, and where to ask for other documents.
"""

from dataclasses import dataclass, field

from django import forms
from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from ..core.conf import portal_settings


class DocumentFilterForm(forms.Form):
    """Filters of the document list (GET): search text, year, category."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)
    category = forms.ChoiceField(label=_("Category"), required=False)

    def __init__(self, data=None, *, years=(), categories=(), **kwargs):
        super().__init__(data, **kwargs)
        self.fields["year"].choices = [("", _("All years"))] + [(y, str(y)) for y in years]
        self.fields["category"].choices = [("", _("All categories"))] + [
            (c.key, c.display_name) for c in categories
        ]


@dataclass
class CategoryGroup:
    category: object
    documents: list = field(default_factory=list)


@dataclass
class DocumentGroup:
    """Documents of one contract, property, of the tenant personally, or of the whole company."""

    key: str
    heading: str
    detail: str = ""
    categories: list = field(default_factory=list)

    @property
    def count(self):
        return sum(len(group.documents) for group in self.categories)


def _group_of(document):
    if document.contract_id:
        contract = document.contract
        detail = ""
        if contract.unit_id:
            prop = contract.unit.property
            detail = ", ".join(
                part for part in (prop.street, f"{prop.postal_code} {prop.city}".strip()) if part
            )
        return (
            (0, contract.number),
            f"contract-{contract.pk}",
            _("Contract %(number)s") % {"number": contract.number},
            detail,
        )
    if document.property_id:
        prop = document.property
        return (1, str(prop)), f"property-{prop.pk}", _("Your building"), str(prop)
    if document.party_id:
        return (2, ""), "personal", _("Personal documents"), ""
    return (
        (3, document.company_id),
        f"company-{document.company_id}",
        _("From %(company)s") % {"company": document.company.display_name},
        "",
    )


def group_documents(documents):
    """``[DocumentGroup]``: contracts (by number), buildings, personal, company-wide; within
    each, categories in their order, documents newest first."""
    groups = {}
    for document in documents:
        order, key, heading, detail = _group_of(document)
        group = groups.get(key)
        if group is None:
            group = groups[key] = (order, DocumentGroup(key=key, heading=heading, detail=detail), {})
        by_category = group[2]
        category_group = by_category.get(document.category_id)
        if category_group is None:
            category_group = by_category[document.category_id] = CategoryGroup(document.category)
        category_group.documents.append(document)
    result = []
    for _order, group, by_category in sorted(groups.values(), key=lambda item: item[0]):
        group.categories = sorted(
            by_category.values(), key=lambda g: (g.category.sort_order, str(g.category.display_name))
        )
        result.append(group)
    return result


def document_request_url():
    """Where tenants ask for other documents: ``DOCUMENTS_REQUEST_URL``, else the tickets app's
    form for a document request when that app is installed, else None."""
    url = portal_settings.DOCUMENTS_REQUEST_URL
    if url:
        return url
    if apps.is_installed("wagtail_tenantportal.tickets"):
        try:  # the form of the standard ticket type "document_request"
            return reverse("wagtail_tenantportal:ticket_new", kwargs={"type_code": "document_request"})
        except NoReverseMatch:
            pass
    return None


__all__ = [
    "DocumentFilterForm",
    "group_documents",
    "document_request_url",
]

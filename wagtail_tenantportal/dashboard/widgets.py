"""Dashboard widgets: what each sub-app contributes to the tenant's overview ("Startseite").

A sub-app registers a function with the Wagtail hook ``tenantportal_dashboard_widgets``::

    from wagtail import hooks
    from wagtail_tenantportal.dashboard.widgets import Widget

    @hooks.register("tenantportal_dashboard_widgets")
    def savings_widget(request):
        accounts = SavingsAccount.objects.visible_to(request.user)
        ...
        return Widget(key="savings", title=_("My savings"), template="...", context={...},
                      url=reverse("wagtail_tenantportal:savings"), order=60)

The function is called only for a full portal session (``auth.portal_state == OK``), with
the request; it returns a :class:`Widget`, or None when it has nothing to show for this
tenant (e.g. no savings account). It must run a constant number of queries whatever the
amount of data (the dashboard's tests assert the total).
"""

from dataclasses import dataclass, field

from wagtail import hooks

HOOK_NAME = "tenantportal_dashboard_widgets"


@dataclass
class Widget:
    #: Stable name, used by editors to choose widgets and as CSS modifier (``tp-widget--<key>``).
    key: str
    #: Translated heading of the widget.
    title: str
    #: Template rendered inside the widget's card, with ``context`` plus ``widget`` and ``request``.
    template: str
    context: dict = field(default_factory=dict)
    #: Link to the full page ("show all"), or None.
    url: str | None = None
    #: Translated text of that link; default "Show all".
    url_label: str | None = None
    #: Smaller comes first.
    order: int = 100
    #: Something needs the tenant's attention (e.g. a new document): shown as text, not colour only.
    attention: str | None = None


def widget_functions():
    """The registered widget functions, in registration order."""
    return hooks.get_hooks(HOOK_NAME)


def collect_widgets(request, keys=None):
    """The widgets for this full portal session, sorted by ``order``.

    ``keys`` (an iterable of widget keys) limits and orders nothing but which widgets are
    kept; None keeps all.
    """
    wanted = set(keys) if keys else None
    widgets = []
    for function in widget_functions():
        widget = function(request)
        if widget is None:
            continue
        if wanted is not None and widget.key not in wanted:
            continue
        widgets.append(widget)
    widgets.sort(key=lambda w: (w.order, w.key))
    return widgets

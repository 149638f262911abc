"""Dashboard widgets: what each sub-app contributes to the tenant's overview ("Startseite").

A sub-app (or the host site) registers a function with the Wagtail hook
``tenantportal_dashboard_widgets``::

    from wagtail import hooks
    from wagtail_tenantportal.core.widgets import HOOK_NAME, Widget, widget_function

    @hooks.register(HOOK_NAME)
    @widget_function("savings", _("My savings"), sample=sample_savings_widget)  # optional
    def savings_widget(request):
        accounts = SavingsAccount.objects.visible_to(request.user)
        ...
        return Widget(key="savings", title=_("My savings"), template="...", context={...},
                      url=reverse("wagtail_tenantportal:savings"), order=60)

The function is called only for a full portal session (``core.session.portal_state == OK``), with
the request; it returns a :class:`Widget`, or None when it has nothing to show for this
tenant (e.g. no savings account). It must run a constant number of queries whatever the
amount of data (the dashboard's tests assert the total).

``widget_function`` is optional. It declares the widget's key and label without calling the
function, so that editors can choose the widget on a dashboard page or block, the dashboard
skips functions whose widget is not wanted (no queries), and, with ``sample``, the editor's
preview shows the widget filled with made-up data (a callable without arguments returning a
``Widget``; it must not query tenant data).
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


def widget_function(key, label, *, sample=None):
    """Decorator declaring the ``key`` and translated ``label`` of the widget a function returns
    (and optionally a ``sample`` callable for editor previews). Returns the function itself."""

    def decorate(function):
        function.widget_key = key
        function.widget_label = label
        function.widget_sample = sample
        return function

    return decorate


def widget_functions():
    """The registered widget functions, in registration order."""
    return hooks.get_hooks(HOOK_NAME)


def widget_choices():
    """``[(key, label)]`` of the widgets declared with :func:`widget_function`, for editors."""
    choices = {}
    for function in widget_functions():
        key = getattr(function, "widget_key", None)
        if key and key not in choices:
            choices[key] = getattr(function, "widget_label", key)
    return list(choices.items())


def _sort(widgets):
    widgets.sort(key=lambda w: (w.order, w.key))
    return widgets


def collect_widgets(request, keys=None):
    """The widgets for this full portal session, sorted by ``order``.

    ``keys`` (an iterable of widget keys) limits and orders nothing but which widgets are
    kept; None keeps all. Functions declared (``widget_function``) with a key not wanted are
    not called at all.
    """
    wanted = set(keys) if keys else None
    widgets = []
    for function in widget_functions():
        declared = getattr(function, "widget_key", None)
        if wanted is not None and declared is not None and declared not in wanted:
            continue
        widget = function(request)
        if widget is None:
            continue
        if wanted is not None and widget.key not in wanted:
            continue
        widgets.append(widget)
    return _sort(widgets)


def sample_widgets(keys=None):
    """Widgets filled with made-up data (for editor previews): one per declared function with
    a ``sample``, limited to ``keys`` like :func:`collect_widgets`. No database queries of
    tenant data."""
    wanted = set(keys) if keys else None
    widgets = []
    for function in widget_functions():
        sample = getattr(function, "widget_sample", None)
        if sample is None:
            continue
        if wanted is not None and getattr(function, "widget_key", None) not in wanted:
            continue
        widget = sample()
        if widget is not None:
            widgets.append(widget)
    return _sort(widgets)

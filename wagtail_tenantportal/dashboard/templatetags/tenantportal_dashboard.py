"""Template tag of the dashboard: ``{% render_widget widget %}``."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def render_widget(context, widget):
    """Render ``widget.template`` inside the current context (request, CSRF token, preview
    flag) with ``widget`` and the widget's own ``context`` added."""
    widget_template = context.template.engine.get_template(widget.template)
    with context.push(widget=widget, **widget.context):
        return widget_template.render(context)

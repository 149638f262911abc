"""The portal's layouts, element partials and stylesheet."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django import forms
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.template import Context, Template
from django.template.loader import render_to_string
from django.test import RequestFactory

import wagtail_tenantportal
from wagtail_tenantportal.context_processors import portal as portal_context_processor
from wagtail_tenantportal.core.context import portal_context

CSS_PATH = Path(wagtail_tenantportal.__file__).parent / "static/wagtail_tenantportal/css/portal.css"
CSS_URL = "/static/wagtail_tenantportal/css/portal.css"


class Elements(HTMLParser):
    """All start tags of a document as (tag, attrs) plus the ids, for assertions on structure."""

    def __init__(self, html):
        super().__init__()
        self.elements = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag

    @property
    def ids(self):
        return {attrs["id"] for _, attrs in self.elements if attrs.get("id")}

    def find(self, tag, **attrs):
        wanted = {key.rstrip("_").replace("_", "-"): value for key, value in attrs.items()}
        return [a for t, a in self.elements if t == tag and all(a.get(k) == v for k, v in wanted.items())]


class ContactForm(forms.Form):
    name = forms.CharField(label="Your name", help_text="As on your tenancy agreement.")
    email = forms.EmailField(label="Email", required=False)
    topic = forms.ChoiceField(
        label="Topic", choices=[("rent", "Rent"), ("damage", "Damage")], widget=forms.RadioSelect
    )
    agree = forms.BooleanField(label="I agree")
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self):
        raise forms.ValidationError("The form as a whole is wrong.")


FORM_TEMPLATE = Template(
    "{% include 'wagtail_tenantportal/elements/form_errors.html' %}"
    "<form class='tp-form'>{% for field in form %}"
    "{% include 'wagtail_tenantportal/elements/form_field.html' %}{% endfor %}"
    "{% include 'wagtail_tenantportal/elements/button.html' with label='Send' %}</form>"
)


def render_form(form):
    return FORM_TEMPLATE.render(Context({"form": form}))


def test_form_field_links_label_help_text_and_errors():
    form = ContactForm(data={"name": "", "email": "not-an-email", "topic": "", "agree": ""})
    assert not form.is_valid()
    html = render_form(form)
    doc = Elements(html)

    # Label tied to the input; required marked in text, optional not.
    assert doc.find("label", for_="id_name")
    assert re.search(r"Your name\s*<span class=\"tp-required\">\(required\)</span>", html)
    assert not re.search(r"Email\s*<span class=\"tp-required\">", html)
    # Help text and errors referenced by the input, which is marked invalid.
    (name_input,) = doc.find("input", name="name")
    assert name_input["aria-describedby"] == "id_name_helptext id_name_error"
    assert name_input["aria-invalid"] == "true"
    assert doc.find("div", id="id_name_helptext", class_="tp-help")
    assert doc.find("ul", id="id_name_error", class_="tp-field-errors")
    (email_input,) = doc.find("input", name="email")
    assert email_input["aria-describedby"] == "id_email_error"
    # Radio buttons are a fieldset whose legend is the label.
    assert doc.find("fieldset", aria_describedby="id_topic_error")
    assert '<legend class="tp-label">Topic' in html
    # The checkbox keeps its label after the box.
    assert doc.find("label", for_="id_agree")
    # Every aria-describedby points at an element that exists.
    for _, attrs in doc.elements:
        for ref in attrs.get("aria-describedby", "").split():
            assert ref in doc.ids, ref


def test_error_summary_lists_every_error_and_links_to_the_fields():
    form = ContactForm(data={"name": "", "email": "not-an-email", "topic": "", "agree": ""})
    form.is_valid()
    html = render_form(form)
    doc = Elements(html)

    (summary,) = doc.find("div", class_="tp-error-summary")
    assert summary["role"] == "alert"
    assert summary["aria-labelledby"] in doc.ids
    assert "The form as a whole is wrong." in html
    links = [
        attrs["href"] for tag, attrs in doc.elements if tag == "a" and attrs.get("href", "").startswith("#")
    ]
    assert links == ["#id_name", "#id_email", "#id_topic_0", "#id_agree"]
    for href in links:
        assert href[1:] in doc.ids
    # The summary comes before the form.
    assert html.index("tp-error-summary") < html.index("<form")


def test_valid_form_renders_no_error_markup():
    form = ContactForm()
    html = render_form(form)
    assert "tp-error-summary" not in html
    assert "aria-invalid" not in html
    assert 'type="hidden" name="token"' in html
    assert '<button class="tp-button tp-button--primary" type="submit">Send</button>' in html


def test_button_renders_a_link_when_given_href():
    html = render_to_string(
        "wagtail_tenantportal/elements/button.html",
        {"label": "Back", "href": "/portal/", "variant": "secondary"},
    )
    assert html.strip() == '<a class="tp-button tp-button--secondary" href="/portal/">Back</a>'


def test_messages_are_a_status_region_with_the_kind_in_text():
    messages = [Message(constants.SUCCESS, "Saved."), Message(constants.ERROR, "Upload failed.")]
    html = render_to_string("wagtail_tenantportal/elements/messages.html", {"messages": messages})
    doc = Elements(html)
    assert doc.find("div", class_="tp-messages", role="status")
    assert doc.find("li", class_="tp-message tp-message--error")
    assert re.search(r"Error:</span>\s*Upload failed\.", html)
    assert re.search(r"Success:</span>\s*Saved\.", html)
    assert render_to_string("wagtail_tenantportal/elements/messages.html", {"messages": []}).strip() == ""


PORTAL_PAGE = Template(
    "{% extends 'wagtail_tenantportal/layouts/base.html' %}"
    "{% block title %}My contracts{% endblock %}"
    "{% block portal_content %}<h1>PORTAL CONTENT</h1>{% endblock %}"
)


def render_portal_page():
    request = RequestFactory().get("/portal/")
    return PORTAL_PAGE.render(Context({"request": request, **portal_context(request)}))


def test_layout_extends_the_hosts_base_template(settings):
    settings.WAGTAIL_TENANTPORTAL = {"BASE_TEMPLATE": "host_base.html"}
    html = render_portal_page()
    assert "HOST HEADER" in html
    assert "HOST FOOTER" in html
    assert '<body class="host-site">' in html
    assert "<title>My contracts | Host</title>" in html
    assert re.search(r'<div class="tp-portal">\s*<h1>PORTAL CONTENT</h1>', html)
    assert f'<link rel="stylesheet" href="{CSS_URL}">' in html
    assert "tp-standalone" not in html


def test_stylesheet_can_be_switched_off(settings):
    settings.WAGTAIL_TENANTPORTAL = {"BASE_TEMPLATE": "host_base.html", "INCLUDE_CSS": False}
    html = render_portal_page()
    assert "HOST HEADER" in html
    assert "PORTAL CONTENT" in html
    assert "portal.css" not in html


@pytest.mark.django_db  # the portal name is the company's of the request's site
def test_standalone_layout_is_the_default(settings):
    settings.WAGTAIL_TENANTPORTAL = {"PORTAL_NAME": "Serviceportal"}
    html = render_portal_page()
    assert '<body class="tp-standalone">' in html
    assert "HOST HEADER" not in html
    assert '<p class="tp-standalone-name">Serviceportal</p>' in html
    assert 'href="#tp-main"' in html and 'id="tp-main"' in html
    assert CSS_URL in html


def test_layout_without_portal_context_still_renders():
    html = PORTAL_PAGE.render(Context({}))
    assert '<body class="tp-standalone">' in html
    assert "PORTAL CONTENT" in html


@pytest.mark.django_db  # the portal name is the company's of the request's site
def test_context_processor_gives_the_same_values(settings):
    settings.WAGTAIL_TENANTPORTAL = {"BASE_TEMPLATE": "host_base.html", "INCLUDE_CSS": 0}
    request = RequestFactory().get("/")
    assert portal_context_processor(request) == {
        "portal_base_template": "host_base.html",
        "portal_include_css": False,
        "portal_name": "Mieterportal",
    }


# ---- portal.css ---------------------------------------------------------------------------


def _css_rules(css):
    """(prelude, body) of every rule, nested @media rules included."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    rules, start, stack = [], 0, []
    for index, char in enumerate(css):
        if char == "{":
            stack.append((css[start:index].strip(), index + 1))
            start = index + 1
        elif char == "}":
            prelude, body_start = stack.pop()
            rules.append((prelude, css[body_start:index]))
            start = index + 1
    assert not stack
    return rules


def _split_selectors(prelude):
    parts, depth, current = [], 0, ""
    for char in prelude:
        depth += char == "("
        depth -= char == ")"
        if char == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    return [*parts, current.strip()]


def test_stylesheet_only_styles_tp_classes():
    rules = _css_rules(CSS_PATH.read_text(encoding="utf-8"))
    selectors = [s for prelude, _ in rules if not prelude.startswith("@") for s in _split_selectors(prelude)]
    assert len(selectors) > 50
    for selector in selectors:
        if selector == ":where(:root)":
            continue
        assert selector.startswith(".tp-"), selector
    # The unscoped block declares custom properties and nothing else.
    (root_body,) = [body for prelude, body in rules if prelude == ":where(:root)"]
    declarations = [d.strip() for d in root_body.split(";") if d.strip()]
    assert declarations and all(d.startswith("--tp-") for d in declarations)


def _luminance(hex_colour):
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a, b):
    high, low = sorted([_luminance(a), _luminance(b)], reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize(
    ("foreground", "background", "minimum"),
    [
        ("text", "bg", 4.5),
        ("muted", "bg", 4.5),
        ("primary", "bg", 4.5),
        ("primary-hover", "bg", 4.5),
        ("on-primary", "primary", 4.5),
        ("on-primary", "primary-hover", 4.5),
        ("primary", "surface", 4.5),
        ("text", "surface", 4.5),
        ("error", "bg", 4.5),
        ("error", "error-bg", 4.5),
        ("text", "error-bg", 4.5),
        ("text", "success-bg", 4.5),
        ("text", "warning-bg", 4.5),
        ("text", "info-bg", 4.5),
        ("muted", "surface", 4.5),
        ("border", "bg", 3),
        ("focus", "bg", 3),
        ("error", "bg", 3),
    ],
)
def test_default_colours_meet_wcag_aa(foreground, background, minimum):
    (root_body,) = [body for prelude, body in _css_rules(CSS_PATH.read_text()) if prelude == ":where(:root)"]
    colours = dict(re.findall(r"--tp-color-([\w-]+):\s*(#[0-9a-fA-F]{6})\s*;", root_body))
    assert _contrast(colours[foreground], colours[background]) >= minimum

"""Markup that every checker accepts, fixed where it is made (the Nu HTML checker in the browser
tests checks the rendered pages): help texts that hold lists, one formatter for machine-readable
times, the page's language from the active one, no empty form actions."""

import datetime
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.template import Context, Template
from django.utils import timezone, translation

import wagtail_tenantportal
from wagtail_tenantportal.core.formats import machine_readable

TEMPLATES = Path(wagtail_tenantportal.__file__).parent / "templates"
BERLIN = ZoneInfo("Europe/Berlin")


class PasswordForm(forms.Form):
    password1 = forms.CharField(
        label="Password", widget=forms.PasswordInput, help_text=password_validators_help_text_html()
    )


def test_the_element_aria_describedby_points_to_holds_the_password_rules(settings):
    settings.AUTH_PASSWORD_VALIDATORS = [
        {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
        {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    ]
    form = PasswordForm()
    form.fields["password1"].help_text = password_validators_help_text_html()
    html = Template(
        "{% include 'wagtail_tenantportal/elements/form_field.html' with field=form.password1 %}"
    ).render(Context({"form": form}))
    (described_by,) = re.findall(r'aria-describedby="([^"]+)"', html)
    assert described_by == "id_password1_helptext"
    # A <div> may hold the <ul> of the rules; in a <p> the list would end the paragraph first,
    # leaving the element with the id empty.
    match = re.search(
        r'<div class="tp-help" id="id_password1_helptext">\s*<ul>(.*?)</ul>\s*</div>', html, re.S
    )
    assert match, html
    assert match.group(1).count("<li>") == 2


@pytest.mark.parametrize(
    "value,expected",
    [
        # aware: in the current time zone, to the second, with the offset
        (datetime.datetime(2026, 3, 1, 9, 15, 30, 123456, tzinfo=datetime.UTC), "2026-03-01T10:15:30+01:00"),
        (datetime.datetime(2026, 7, 1, 8, 0, 0, 999999, tzinfo=datetime.UTC), "2026-07-01T10:00:00+02:00"),
        (datetime.datetime(2026, 3, 1, 10, 15, 30, 500000), "2026-03-01T10:15:30"),  # naive
        (datetime.date(2026, 3, 1), "2026-03-01"),
        (datetime.time(7, 5, 9, 1), "07:05:09"),
        (None, ""),
        ("", ""),
    ],
)
def test_machine_readable_times_are_valid_html(value, expected):
    with timezone.override(BERLIN):
        assert machine_readable(value) == expected
    # Valid HTML: a fraction of a second would need at most three digits; there is none.
    assert not re.search(r"\.\d", expected)


def test_machine_readable_refuses_other_values():
    with pytest.raises(TypeError):
        machine_readable("2026-03-01")


def test_the_template_filter_is_the_same_formatter():
    moment = datetime.datetime(2026, 3, 1, 9, 15, 30, 123456, tzinfo=datetime.UTC)
    html = Template('{% load tenantportal_format %}<time datetime="{{ t|machine_time }}">').render(
        Context({"t": moment})
    )
    assert html == f'<time datetime="{machine_readable(moment)}">'


def template_sources():
    return sorted(path for path in TEMPLATES.rglob("*.html"))


def test_templates_use_one_formatter_for_machine_readable_times_and_no_empty_actions():
    problems = []
    for path in template_sources():
        text = path.read_text()
        name = path.relative_to(TEMPLATES)
        if re.search(r"""\|date:\s*['"]c['"]""", text) or "isoformat" in text:
            problems.append(f"{name}: machine-readable time without |machine_time")
        for match in re.finditer(r'datetime="([^"]*)"', text):
            if "|machine_time" not in match.group(1):
                problems.append(f"{name}: datetime={match.group(1)!r}")
        if re.search(r'\baction=""', text):
            problems.append(f'{name}: action="" (leave the attribute out to post to the page itself)')
    assert problems == []


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["de", "en"])
def test_the_standalone_layout_says_the_active_language(client, language):
    html = client.get("/portal/login/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f'<html lang="{language}">' in html


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_test_hosts_layout_says_the_active_language(language):
    from django.template.loader import render_to_string

    with translation.override(language):
        html = render_to_string("host_base.html")
    assert f'<html lang="{language}">' in html

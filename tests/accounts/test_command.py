"""The tenantportal_letters management command."""

import io

import pytest
from django.core.management import CommandError, call_command

from tests.factories import UserFactory
from wagtail_tenantportal.accounts.models import AccountParty, PortalAccount, RegistrationCode

from .conftest import make_tenant, pdf_pages

pytestmark = pytest.mark.django_db


def run(*args):
    out = io.StringIO()
    call_command("tenantportal_letters", *args, stdout=out)
    return out.getvalue()


def test_prints_letters_for_the_unregistered_parties_of_a_company(company, tmp_path):
    parties = [make_tenant(company)[0] for _ in range(3)]
    account = PortalAccount.objects.create(user=UserFactory())
    AccountParty.objects.create(account=account, party=parties[0])
    target = tmp_path / "briefe.pdf"
    output = run("--company", company.slug, "--unregistered", "--contract-kind", "rental", "-o", str(target))
    assert "2 letters written" in output
    pages = pdf_pages(target.read_bytes())
    assert len(pages) == 2
    assert not any(parties[0].last_name in page for page in pages)
    assert RegistrationCode.objects.count() == 2


def test_selected_parties_and_property(company, tmp_path):
    first, contract = make_tenant(company)
    second, _ = make_tenant(company)
    target = tmp_path / "one.pdf"
    assert "1 letters written" in run("--company", company.slug, "--party", first.erp_id, "-o", str(target))
    assert first.last_name in pdf_pages(target.read_bytes())[0]
    prop = contract.unit.property
    assert "1 letters written" in run("--company", company.slug, "--property", prop.erp_id, "-o", str(target))
    assert RegistrationCode.objects.filter(party=second).count() == 0


def test_dry_run_issues_nothing(company, tmp_path):
    make_tenant(company)
    output = run("--company", company.slug, "--dry-run")
    assert "Dry run: 1 letters would be printed" in output
    assert not RegistrationCode.objects.exists()


@pytest.mark.parametrize(
    "args",
    [
        ["--company", "nope", "-o", "x.pdf"],
        ["--company", "lindenhof"],
        ["--party", "P1", "-o", "x.pdf"],
        ["--company", "lindenhof", "--party", "unknown", "-o", "x.pdf"],
        ["--company", "lindenhof", "--property", "unknown", "-o", "x.pdf"],
        [],
    ],
)
def test_bad_arguments_give_a_clear_error(company, args):
    with pytest.raises(CommandError):
        run(*args)
    assert not RegistrationCode.objects.exists()


def test_no_file_is_left_when_nothing_is_printed(company, tmp_path):
    target = tmp_path / "empty.pdf"
    output = run("--company", company.slug, "-o", str(target))
    assert "No letters" in output
    assert not target.exists()


def test_the_company_may_be_named_by_its_erp_id_or_its_slug(company, tmp_path):
    company.erp_id = "LH"
    company.save()
    make_tenant(company)
    assert "Dry run: 1 letters would be printed" in run("--company", "LH", "--dry-run")
    assert "Dry run: 1 letters would be printed" in run("--company", company.slug.upper(), "--dry-run")


def test_an_unknown_company_lists_the_valid_ones(company):
    from tests.factories import CompanyFactory

    company.erp_id = "LH"
    company.save()
    CompanyFactory(name="Bauverein Elsteraue", slug="elsteraue", erp_id="EA")
    with pytest.raises(CommandError) as error:
        run("--company", "wg-lindenhof", "--dry-run")
    message = str(error.value)
    assert "'wg-lindenhof'" in message
    assert "LH / lindenhof" in message and "EA / elsteraue" in message
    with pytest.raises(CommandError) as error:
        run("--dry-run")
    assert "LH / lindenhof" in str(error.value)


def test_skipped_parties_are_counted_and_named_when_asked(company, tmp_path):
    from wagtail_tenantportal.tenancy.models import Contract

    make_tenant(company)
    ended, contract = make_tenant(company, last_name="Ausgezogen")
    Contract.objects.filter(pk=contract.pk).update(status=Contract.Status.ENDED)
    target = tmp_path / "briefe.pdf"
    output = run("--company", company.slug, "-o", str(target))
    assert "1 letters written" in output and "1 parties skipped" in output
    out = io.StringIO()
    call_command(
        "tenantportal_letters", "--company", company.slug, "-o", str(target), verbosity=2, stdout=out
    )
    assert f"skipped (no current contract): {ended.erp_id}" in out.getvalue()

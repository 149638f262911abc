"""Create the tenant help pages (German) in the host's page tree, as pages of the host's type.

manage.py tenantportal_help_pages --parent /hilfe/ --page-type home.StandardPage --field body
manage.py tenantportal_help_pages --parent 7 --page-type home.ContentPage --field body --block text
manage.py tenantportal_help_pages --parent /hilfe/ --page-type home.StandardPage --update --dry-run
"""

from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from wagtail.blocks import RichTextBlock
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page, Site
from wagtail.rich_text import RichText

from wagtail_tenantportal.help import languages, load_help_pages, resolve_links


@dataclass
class _Target:
    """Where the help text goes: a RichTextField, or one rich-text block of a StreamField."""

    field: object
    block: str | None

    def value(self, html):
        return [(self.block, RichText(html))] if self.block else html

    def empty(self):
        return [] if self.block else ""

    def current(self, page):
        value = getattr(page, self.field.name)
        if not self.block:
            return value
        return [(child.block_type, getattr(child.value, "source", child.value)) for child in value]

    def is_current(self, page, html):
        expected = [(self.block, html)] if self.block else html
        return self.current(page) == expected


class Command(BaseCommand):
    help = (
        "Create the portal's help pages for tenants (registration, login, two-factor, damage reports, "
        "requests, documents, contact data, FAQ, accessibility statement) below a parent page, as "
        "pages of your own page type. Pages that exist (same slug) are left alone unless --update "
        "is given; nothing is ever created twice."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--parent",
            required=True,
            metavar="PAGE",
            help="Parent page: its id, or its URL path (e.g. /hilfe/, below the default site's home page).",
        )
        parser.add_argument(
            "--page-type",
            required=True,
            metavar="APP_LABEL.MODEL",
            help="Your page type for the help pages, e.g. home.StandardPage.",
        )
        parser.add_argument(
            "--field",
            default="body",
            help="The page type's RichTextField or StreamField for the text (default: body).",
        )
        parser.add_argument(
            "--block",
            metavar="NAME",
            help="With a StreamField: the name of its rich-text block (e.g. text or paragraph).",
        )
        parser.add_argument(
            "--language",
            default="de",
            help=f"Language of the help pages (default: de; available: {', '.join(languages())}).",
        )
        parser.add_argument(
            "--update",
            action="store_true",
            help="Replace title and text of existing help pages with the shipped ones (a new revision).",
        )
        parser.add_argument(
            "--draft", action="store_true", help="Create new pages as drafts instead of publishing them."
        )
        parser.add_argument("--dry-run", action="store_true", help="Only show what would be done.")

    def handle(self, *args, **options):
        try:
            help_pages = load_help_pages(options["language"])
        except LookupError:
            raise CommandError(
                f"No help pages in the language {options['language']!r}. Available: {', '.join(languages())}."
            ) from None
        model = self._page_model(options["page_type"])
        target = self._target(model, options["field"], options["block"])
        parent = self._parent(options["parent"])
        if not model.can_exist_under(parent):
            raise CommandError(
                f"A {model._meta.verbose_name} ({options['page_type']}) cannot be created below "
                f"“{parent.title}” (id {parent.pk}): the page types' parent_page_types/subpage_types "
                "do not allow it. Choose another parent or page type."
            )
        dry_run = options["dry_run"]
        with transaction.atomic():
            self._run(help_pages, model, target, parent, options["update"], options["draft"], dry_run)
            if dry_run:
                transaction.set_rollback(True)

    # -- arguments -------------------------------------------------------------------------

    def _page_model(self, name):
        app_label, _dot, model_name = name.partition(".")
        if not app_label or not model_name:
            raise CommandError(
                f"--page-type must be app_label.ModelName, e.g. home.StandardPage (got {name!r})."
            )
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            raise CommandError(f"No model {name!r}: check the app label and the model name.") from None
        if not issubclass(model, Page) or model is Page:
            raise CommandError(f"{name} is not a page type of your site (a subclass of wagtail.models.Page).")
        return model

    def _target(self, model, field_name, block):
        usable = sorted(
            f.name for f in model._meta.get_fields() if isinstance(f, (RichTextField, StreamField))
        )
        hint = f" Rich-text and stream fields of {model.__name__}: {', '.join(usable) or 'none'}."
        try:
            field = model._meta.get_field(field_name)
        except FieldDoesNotExist:
            raise CommandError(f"{model.__name__} has no field {field_name!r}.{hint}") from None
        if isinstance(field, RichTextField):
            if block:
                raise CommandError(
                    f"--block is only for a StreamField; {model.__name__}.{field_name} is a RichTextField."
                )
            return _Target(field, None)
        if not isinstance(field, StreamField):
            raise CommandError(
                f"{model.__name__}.{field_name} is neither a RichTextField nor a StreamField.{hint}"
            )
        rich_blocks = sorted(
            name
            for name, child in field.stream_block.child_blocks.items()
            if isinstance(child, RichTextBlock)
        )
        if not block:
            raise CommandError(
                f"{model.__name__}.{field_name} is a StreamField: name its rich-text block with --block "
                f"({', '.join(rich_blocks) or 'it has none'})."
            )
        if block not in rich_blocks:
            raise CommandError(
                f"{model.__name__}.{field_name} has no rich-text block {block!r}. "
                f"Rich-text blocks: {', '.join(rich_blocks) or 'none'}."
            )
        return _Target(field, block)

    def _parent(self, value):
        value = value.strip()
        if value.isdigit():
            page = Page.objects.filter(pk=int(value)).first()
            if page is None:
                raise CommandError(f"No page with id {value}.")
            return page.specific
        path = "/" + value.strip("/") + "/" if value.strip("/") else "/"
        candidates = [path]
        site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
        if site is not None:
            candidates.insert(0, site.root_page.url_path + path.lstrip("/"))
        for candidate in candidates:
            page = Page.objects.filter(url_path=candidate).first()
            if page is not None:
                return page.specific
        raise CommandError(
            f"No page at {path}: give the parent's id, or its path below the default site's home page "
            "(as in the address bar, e.g. /service/hilfe/)."
        )

    # -- work ------------------------------------------------------------------------------

    def _run(self, help_pages, model, target, parent, update, draft, dry_run):
        slugs = [page.slug for page in help_pages]
        existing = {page.slug: page for page in parent.get_children().filter(slug__in=slugs).specific()}
        pages, created, conflicts = {}, set(), set()
        for help_page in help_pages:
            page = existing.get(help_page.slug)
            if page is not None and not isinstance(page, model):
                conflicts.add(help_page.slug)
                self.stdout.write(
                    self.style.WARNING(
                        f"skipped: {help_page.title}: the page {self._url(page)} is a "
                        f"{page._meta.verbose_name}, not a {model._meta.verbose_name}; rename its slug "
                        f"“{help_page.slug}” or choose another parent"
                    )
                )
            elif page is not None:
                pages[help_page.slug] = page
            elif dry_run:
                self.stdout.write(f"would create: {help_page.title} at {self._url(parent)}{help_page.slug}/")
            else:
                pages[help_page.slug] = self._create(model, target, parent, help_page, draft)
                created.add(help_page.slug)
        page_ids = {slug: page.pk for slug, page in pages.items()}
        for help_page in help_pages:
            if help_page.slug in conflicts or help_page.slug not in pages:
                continue
            page = pages[help_page.slug]
            body = resolve_links(help_page.body, page_ids)
            if help_page.slug in created:
                self._fill_new(page, target, help_page, body, draft)
            else:
                self._refresh(page, target, help_page, body, update, dry_run)
        with_placeholders = [p for p in help_pages if p.placeholders and p.slug not in conflicts]
        for help_page in with_placeholders:
            self.stdout.write(
                f"note: “{help_page.title}” has {len(help_page.placeholders)} placeholders in "
                "[square brackets]: fill them in, then publish the page."
            )

    def _create(self, model, target, parent, help_page, draft):
        page = model(title=help_page.title, slug=help_page.slug, live=False)
        setattr(page, target.field.name, target.empty())
        try:
            parent.add_child(instance=page)
        except ValidationError as error:
            details = "; ".join(
                f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items()
            )
            raise CommandError(
                f"A {model._meta.verbose_name} cannot be saved with only a title and {target.field.name} "
                f"({details}). Use a page type whose other fields are optional."
            ) from error
        return page

    def _fill_new(self, page, target, help_page, body, draft):
        setattr(page, target.field.name, target.value(body))
        revision = page.save_revision()
        if draft or help_page.placeholders:
            self.stdout.write(self.style.SUCCESS(f"created as draft: {help_page.title} at {self._url(page)}"))
            return
        revision.publish()
        page.refresh_from_db()
        self.stdout.write(self.style.SUCCESS(f"created: {help_page.title} at {self._url(page)}"))

    def _refresh(self, page, target, help_page, body, update, dry_run):
        latest = page.get_latest_revision_as_object()
        if latest.title == help_page.title and target.is_current(latest, body):
            self.stdout.write(f"unchanged: {help_page.title} at {self._url(page)}")
            return
        if not update:
            self.stdout.write(f"exists: {help_page.title} at {self._url(page)} (--update replaces its text)")
            return
        publish = page.live and not help_page.placeholders
        if dry_run:
            self.stdout.write(f"would update: {help_page.title} at {self._url(page)}")
            return
        latest.title = help_page.title
        setattr(latest, target.field.name, target.value(body))
        revision = latest.save_revision()
        if publish:
            revision.publish()
            self.stdout.write(self.style.SUCCESS(f"updated: {help_page.title} at {self._url(page)}"))
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"updated as a draft revision (not published): {help_page.title} at {self._url(page)}"
                )
            )

    @staticmethod
    def _url(page):
        return page.get_url() or page.url_path

"""Articles, their versions, sections and references.

A version is the working draft until it is submitted; from then on its content
(everything a reader would see) is frozen and any attempt to change it raises
``FrozenVersionError``. Lifecycle marks such as ``published_at`` may still be
set on a frozen version: they describe it, they are not its content.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone

from core.display import loaded
from core.errors import FrozenVersionError


class ArticleState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    UNDER_REVIEW = "under_review", "Under review"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    APPROVED = "approved", "Approved"
    PUBLISHED = "published", "Published"
    ARCHIVED = "archived", "Archived"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Audience(models.TextChoices):
    PATIENT = "patient", "Patients and caregivers"
    PROFESSIONAL = "professional", "Healthcare professionals"


class Origin(models.TextChoices):
    HUMAN = "human", "Written by a person"
    MACHINE = "machine", "Drafted by a text-generation pipeline"


class ReferenceKind(models.TextChoices):
    GUIDELINE = "guideline", "Guideline"
    SYSTEMATIC_REVIEW = "systematic_review", "Systematic review"
    RCT = "rct", "Randomised controlled trial"
    OBSERVATIONAL = "observational", "Observational study"
    RESEARCH = "research", "Research"
    REVIEW = "review", "Review"
    OTHER = "other", "Other"


class EvidenceLevel(models.TextChoices):
    GRADE_HIGH = "grade_high", "GRADE: high"
    GRADE_MODERATE = "grade_moderate", "GRADE: moderate"
    GRADE_LOW = "grade_low", "GRADE: low"
    GRADE_VERY_LOW = "grade_very_low", "GRADE: very low"
    SORT_A = "sort_a", "SORT: A"
    SORT_B = "sort_b", "SORT: B"
    SORT_C = "sort_c", "SORT: C"


class Specialty(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=100)
    review_interval_months = models.PositiveSmallIntegerField(
        default=12, help_text="How long a medical review stays current before re-review is due."
    )
    required_approvals = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1)], help_text="Board approvals needed before publishing."
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "specialties"

    def __str__(self) -> str:
        return self.name


class ArticleQuerySet(models.QuerySet["Article"]):
    def delete(self) -> tuple[int, dict[str, int]]:
        # A bulk delete cascades to versions without calling their guards, so refuse it here.
        if ArticleVersion.objects.filter(article__in=self, frozen_at__isnull=False).exists():
            raise FrozenVersionError(_ARTICLE_KEPT)
        return super().delete()


_ARTICLE_KEPT = "This article has been submitted for review; articles are archived, never deleted."


class Article(models.Model):
    slug = models.SlugField(max_length=120, unique=True)
    title = models.CharField(max_length=250)
    specialty = models.ForeignKey(Specialty, on_delete=models.PROTECT, related_name="articles")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_articles"
    )
    state = models.CharField(max_length=32, choices=ArticleState.choices, default=ArticleState.DRAFT)
    published_version = models.ForeignKey(
        "ArticleVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    first_published_at = models.DateTimeField(null=True, blank=True)
    last_updated_at = models.DateTimeField(
        null=True, blank=True, help_text="When the published text last changed."
    )
    last_reviewed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the board last approved the published text."
    )
    next_review_due = models.DateField(null=True, blank=True)
    required_approvals = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Overrides the specialty's number of approvals for this article."
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at"]
        permissions = [
            ("draft_article", "Can draft and submit articles"),
            ("publish_article", "Can publish approved articles"),
            ("manage_articles", "Can manage the editorial workflow"),
            ("review_article", "Can review articles as a board member"),
        ]
        indexes = [
            # A state's articles in date order (the pk breaks ties, and lets counts of a state's
            # articles with an open assignment be answered from the index alone).
            models.Index(fields=["state", "-updated_at", "-id"], name="article_state_updated"),
            models.Index(fields=["owner", "state"], name="article_owner_state"),
            # The staff dashboard's order (newest change first), so a page of it is read, not sorted.
            models.Index(fields=["-updated_at", "-id"], name="article_updated"),
            # PostgreSQL only, outside the model (migration 0004): trigram indexes for the staff
            # searches and the re-review queue's partial index; see that migration for why.
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_public(self) -> bool:
        return self.published_version_id is not None and self.state != ArticleState.ARCHIVED

    @property
    def approvals_needed(self) -> int:
        return self.required_approvals or self.specialty.required_approvals

    def latest_version(self) -> ArticleVersion | None:
        return self.versions.order_by("-number").first()

    def working_draft(self) -> ArticleVersion | None:
        latest = self.latest_version()
        return latest if latest is not None and not latest.is_frozen else None

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if self.versions.filter(frozen_at__isnull=False).exists():
            raise FrozenVersionError(_ARTICLE_KEPT)
        return super().delete(*args, **kwargs)


class VersionQuerySet(models.QuerySet["ArticleVersion"]):
    def update(self, **kwargs: Any) -> int:
        # frozen_at counts too: clearing it would unfreeze the version and open it to edits.
        touched = set(kwargs) & {*ArticleVersion.CONTENT_FIELDS, "frozen_at"}
        if touched and self.filter(frozen_at__isnull=False).exists():
            raise FrozenVersionError(_frozen_message(touched))
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        if self.filter(frozen_at__isnull=False).exists():
            raise FrozenVersionError("Submitted versions are kept for ever and cannot be deleted.")
        return super().delete()


def _frozen_message(fields: Iterable[str]) -> str:
    return (
        "This version has been submitted and is frozen; "
        f"it cannot be changed ({', '.join(sorted(fields))}). Edit the article to start a new version."
    )


class ArticleVersion(models.Model):
    # Everything that makes up what a reader sees: frozen once submitted.
    CONTENT_FIELDS = (
        "article_id",
        "number",
        "specialty_id",
        "title",
        "summary",
        "change_summary",
        "is_correction",
        "correction_notice",
        "origin",
        "generator",
        "content_hash",
    )

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=250)
    summary = models.TextField(blank=True)
    change_summary = models.TextField(
        blank=True, help_text="What changed since the previous version, and why."
    )
    is_correction = models.BooleanField(default=False, help_text="This version corrects an error.")
    correction_notice = models.TextField(blank=True, help_text="Shown to readers when correcting an error.")
    origin = models.CharField(max_length=16, choices=Origin.choices, default=Origin.HUMAN)
    generator = models.CharField(max_length=200, blank=True, help_text="Pipeline or model name and version.")
    # Readers see the specialty an article is filed under, so it is reviewed with the text and frozen
    # with it: editing a draft never re-files the published article (Article.specialty is the
    # working value staff lists and reviewer matching use).
    specialty = models.ForeignKey(Specialty, on_delete=models.PROTECT, related_name="versions")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    last_edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revision = models.PositiveIntegerField(default=1, help_text="Bumped on every save of the working draft.")
    content_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    frozen_at = models.DateTimeField(null=True, blank=True, help_text="When it was submitted and frozen.")
    published_at = models.DateTimeField(null=True, blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)
    opened_from_state = models.CharField(max_length=32, blank=True)

    objects = VersionQuerySet.as_manager()

    class Meta:
        ordering = ["article", "number"]
        constraints = [models.UniqueConstraint(fields=["article", "number"], name="version_number_unique")]

    def __str__(self) -> str:
        article = loaded(self, "article")
        name = article.slug if isinstance(article, Article) else f"article #{self.article_id}"
        return f"{name} v{self.number}"

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None

    @property
    def is_machine_drafted(self) -> bool:
        return self.origin == Origin.MACHINE

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            stored = (
                ArticleVersion.objects.filter(pk=self.pk).values(*self.CONTENT_FIELDS, "frozen_at").first()
            )
            if stored and stored["frozen_at"] is not None:
                changed = {f for f in (*self.CONTENT_FIELDS, "frozen_at") if getattr(self, f) != stored[f]}
                if changed:
                    raise FrozenVersionError(_frozen_message(changed))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if ArticleVersion.objects.filter(pk=self.pk, frozen_at__isnull=False).exists():
            raise FrozenVersionError("Submitted versions are kept for ever and cannot be deleted.")
        return super().delete(*args, **kwargs)


def _refuse_if_frozen(version_ids: Iterable[int]) -> None:
    if ArticleVersion.objects.filter(pk__in=set(version_ids), frozen_at__isnull=False).exists():
        raise FrozenVersionError(_frozen_message({"sections or references"}))


class VersionPartQuerySet(models.QuerySet[Any]):
    """Sections and references of a frozen version cannot be changed in bulk either."""

    def version_ids(self) -> models.QuerySet[Any, int]:
        """The keys of the versions these parts belong to."""
        return self.values_list("version_id", flat=True)

    def update(self, **kwargs: Any) -> int:
        version_ids = set(self.version_ids())
        # Re-pointing parts at another version must not slip them into a frozen one either.
        target = kwargs.get("version", kwargs.get("version_id"))
        if target is not None:
            version_ids.add(getattr(target, "pk", target))
        _refuse_if_frozen(version_ids)
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        _refuse_if_frozen(self.version_ids())
        return super().delete()

    def bulk_create(self, objs: Iterable[Any], *args: Any, **kwargs: Any) -> list[Any]:
        objs = list(objs)
        _refuse_if_frozen(o.version_id for o in objs)
        return super().bulk_create(objs, *args, **kwargs)


class VersionPart(models.Model):
    # Each part declares its own ``version`` foreign key (its own related name); for the checker:
    version_id: int

    objects = VersionPartQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        version_ids = {self.version_id}
        if self.pk is not None and not self._state.adding:
            # The version it is stored under now: moving a part out of a frozen version changes it too.
            version_ids.update(type(self).objects.filter(pk=self.pk).version_ids())
        _refuse_if_frozen(version_ids)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        _refuse_if_frozen(type(self).objects.filter(pk=self.pk).version_ids())
        return super().delete(*args, **kwargs)


class Section(VersionPart):
    version = models.ForeignKey(ArticleVersion, on_delete=models.CASCADE, related_name="sections")
    audience = models.CharField(max_length=16, choices=Audience.choices)
    position = models.PositiveSmallIntegerField()
    heading = models.CharField(max_length=200)
    body = models.TextField(help_text="Markdown. Cite references as [1] or [1, 3].")
    reading_grade = models.FloatField(null=True, blank=True, help_text="Flesch-Kincaid grade level.")

    class Meta:
        ordering = ["version", "audience", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "audience", "position"], name="section_position_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_audience_display()}: {self.heading}"


doi_validator = RegexValidator(
    r"^10\.\d{4,9}/\S+$", "A DOI looks like 10.1234/abc.123 (no 'https://doi.org/')."
)
pmid_validator = RegexValidator(r"^\d{1,9}$", "A PMID is digits only, for example 31234567.")


def year_validators() -> list[MinValueValidator | MaxValueValidator]:
    return [MinValueValidator(1900), MaxValueValidator(timezone.now().year + 1)]


class Reference(VersionPart):
    version = models.ForeignKey(ArticleVersion, on_delete=models.CASCADE, related_name="references")
    number = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=32, choices=ReferenceKind.choices)
    authors = models.CharField(max_length=500, blank=True)
    title = models.CharField(max_length=500)
    source = models.CharField(max_length=300, help_text="Journal, or the body that issued the guideline.")
    year = models.PositiveSmallIntegerField()
    doi = models.CharField(max_length=200, blank=True, validators=[doi_validator])
    pmid = models.CharField(max_length=12, blank=True, validators=[pmid_validator])
    url = models.URLField(max_length=500, blank=True)
    accessed_on = models.DateField(null=True, blank=True)
    evidence_level = models.CharField(max_length=20, choices=EvidenceLevel.choices, blank=True)

    class Meta:
        ordering = ["version", "number"]
        constraints = [models.UniqueConstraint(fields=["version", "number"], name="reference_number_unique")]

    def __str__(self) -> str:
        return f"[{self.number}] {self.title}"

    def clean_fields(self, exclude: Collection[str] | None = None) -> None:
        super().clean_fields(exclude=exclude)
        # The year's upper bound moves with the calendar, so it is checked here, not frozen into a migration.
        from django.core.exceptions import ValidationError

        errors = []
        for validator in year_validators():
            try:
                validator(self.year)
            except ValidationError as exc:
                errors.extend(exc.messages)
        if errors:
            raise ValidationError({"year": errors})

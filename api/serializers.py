"""Shapes of what goes in and out. Types, lengths and enums only: every rule
about content, people and states stays in the domain functions the views call.

String lengths come from the model fields so that nothing a client sends can
overflow a column (PostgreSQL would answer that with an error, i.e. a 500).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from articles.drafting import DraftContent, ReferenceInput, SectionInput
from articles.markdown import text_of
from articles.models import (
    Article,
    ArticleState,
    ArticleVersion,
    Audience,
    EvidenceLevel,
    Origin,
    Reference,
    ReferenceKind,
    Section,
    Specialty,
)
from core.datetimes import StorableDateTimeSerializerField
from outbox.models import DeliveryStatus
from reviews.models import AssignmentStatus, ConflictCategory, Decision
from webhooks.models import Endpoint, EventKind

from .preconditions import etag_for

# Bounds on free text and list sizes: generous for real articles, small enough that one request
# cannot make the server chew on megabytes of markdown.
MAX_TEXT = 100_000
MAX_SECTIONS = 100
MAX_REFERENCES = 300
SMALLINT_MAX = 32767


def _max_length(model, field: str) -> int:
    return model._meta.get_field(field).max_length


class StrictBooleanField(serializers.BooleanField):
    """JSON true or false only (DRF's also takes "yes", 1, "on"...)."""

    def to_internal_value(self, data):
        if data is True or data is False:
            return data
        self.fail("invalid", input=data)


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False)
    state = serializers.CharField(required=False, help_text="Refused transitions: the article's state.")
    allowed_actions = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="Refused transitions: what can be done."
    )
    reasons = serializers.ListField(
        child=serializers.DictField(child=serializers.CharField()),
        required=False,
        help_text="An ineligible reviewer: each reason's code and message.",
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


# --- drafts in ---------------------------------------------------------------------------------


class SectionInSerializer(serializers.Serializer):
    audience = serializers.ChoiceField(choices=Audience.choices)
    heading = serializers.CharField(max_length=_max_length(Section, "heading"), allow_blank=True)
    body = serializers.CharField(max_length=MAX_TEXT, allow_blank=True, trim_whitespace=False)


class ReferenceInSerializer(serializers.Serializer):
    number = serializers.IntegerField(min_value=1, max_value=SMALLINT_MAX)
    kind = serializers.ChoiceField(choices=ReferenceKind.choices)
    title = serializers.CharField(max_length=_max_length(Reference, "title"))
    source = serializers.CharField(max_length=_max_length(Reference, "source"))
    year = serializers.IntegerField(min_value=0, max_value=SMALLINT_MAX)
    authors = serializers.CharField(
        max_length=_max_length(Reference, "authors"), allow_blank=True, default=""
    )
    doi = serializers.CharField(max_length=_max_length(Reference, "doi"), allow_blank=True, default="")
    pmid = serializers.CharField(max_length=_max_length(Reference, "pmid"), allow_blank=True, default="")
    url = serializers.CharField(max_length=_max_length(Reference, "url"), allow_blank=True, default="")
    accessed_on = serializers.DateField(required=False, allow_null=True, default=None)
    evidence_level = serializers.ChoiceField(
        choices=EvidenceLevel.choices, allow_blank=True, required=False, default=""
    )


class DraftInSerializer(serializers.Serializer):
    """The working draft's content: a PUT replaces all of it."""

    title = serializers.CharField(max_length=_max_length(ArticleVersion, "title"))
    summary = serializers.CharField(max_length=MAX_TEXT, allow_blank=True, default="")
    specialty = serializers.SlugRelatedField(
        slug_field="slug", queryset=Specialty.objects.all(), required=False, help_text="The specialty's slug."
    )
    change_summary = serializers.CharField(max_length=MAX_TEXT, allow_blank=True, default="")
    is_correction = StrictBooleanField(default=False)
    correction_notice = serializers.CharField(max_length=MAX_TEXT, allow_blank=True, default="")
    sections = SectionInSerializer(many=True, default=list, max_length=MAX_SECTIONS)
    references = ReferenceInSerializer(many=True, default=list, max_length=MAX_REFERENCES)
    revision = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**31 - 1,
        help_text="The revision you edited, when you cannot send If-Match.",
    )

    def to_content(self) -> DraftContent:
        data = self.validated_data
        return DraftContent(
            title=data["title"],
            summary=data["summary"],
            sections=[SectionInput(**s) for s in data["sections"]],
            references=[ReferenceInput(**r) for r in data["references"]],
            change_summary=data["change_summary"],
            is_correction=data["is_correction"],
            correction_notice=data["correction_notice"],
        )


class ArticleCreateSerializer(DraftInSerializer):
    revision = None  # a new article has no revision to compare with
    specialty = serializers.SlugRelatedField(
        slug_field="slug", queryset=Specialty.objects.all(), help_text="The specialty's slug."
    )
    slug = serializers.SlugField(
        max_length=_max_length(Article, "slug"),
        required=False,
        help_text="Defaults to one made from the title.",
    )
    origin = serializers.ChoiceField(choices=Origin.choices, default=Origin.HUMAN)
    generator = serializers.CharField(
        max_length=_max_length(ArticleVersion, "generator"),
        allow_blank=True,
        default="",
        help_text="Pipeline or model name and version; required when origin is machine.",
    )

    def validate_slug(self, value: str) -> str:
        # Uniqueness is checked again by the database; this turns the common case into a field error.
        if Article.objects.filter(slug=value).exists():
            raise serializers.ValidationError("An article with this slug already exists.")
        return value


class BatchItemSerializer(ArticleCreateSerializer):
    submit = StrictBooleanField(default=False, help_text="Submit for review straight away.")


class BatchSerializer(serializers.Serializer):
    """For the schema; items are validated one by one so that one bad draft blocks no other."""

    drafts = BatchItemSerializer(many=True, min_length=1, max_length=100)


class BatchEnvelopeSerializer(serializers.Serializer):
    drafts = serializers.ListField(child=serializers.JSONField(), min_length=1, max_length=100)


class BatchResultSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    ok = serializers.BooleanField()
    slug = serializers.CharField(required=False)
    state = serializers.CharField(required=False)
    warnings = serializers.ListField(child=serializers.CharField(), required=False)
    error = ErrorDetailSerializer(required=False)


class BatchResponseSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    failed = serializers.IntegerField()
    results = BatchResultSerializer(many=True)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=MAX_TEXT, allow_blank=True, default="")


# --- articles and versions out -----------------------------------------------------------------


class SectionOutSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Anchor section comments of a review to this id.")
    audience = serializers.CharField()
    position = serializers.IntegerField()
    heading = serializers.CharField()
    body = serializers.CharField()
    reading_grade = serializers.FloatField(allow_null=True)


class ReferenceOutSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    kind = serializers.CharField()
    authors = serializers.CharField()
    title = serializers.CharField()
    source = serializers.CharField()
    year = serializers.IntegerField()
    doi = serializers.CharField()
    pmid = serializers.CharField()
    url = serializers.CharField()
    accessed_on = serializers.DateField(allow_null=True)
    evidence_level = serializers.CharField()


class VersionSummarySerializer(serializers.Serializer):
    number = serializers.IntegerField()
    title = serializers.CharField()
    origin = serializers.CharField()
    generator = serializers.CharField()
    revision = serializers.IntegerField()
    frozen = serializers.BooleanField(source="is_frozen")
    frozen_at = serializers.DateTimeField(allow_null=True)
    published_at = serializers.DateTimeField(allow_null=True)
    superseded_at = serializers.DateTimeField(allow_null=True)
    content_hash = serializers.CharField()
    change_summary = serializers.CharField()
    is_correction = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class VersionDetailSerializer(VersionSummarySerializer):
    summary = serializers.CharField()
    correction_notice = serializers.CharField()
    author = serializers.CharField(source="author.get_username")
    last_edited_by = serializers.SerializerMethodField()
    sections = SectionOutSerializer(many=True, source="sections.all")
    references = ReferenceOutSerializer(many=True, source="references.all")

    def get_last_edited_by(self, version: ArticleVersion) -> str | None:
        return version.last_edited_by.get_username() if version.last_edited_by_id else None


class DraftOutSerializer(VersionDetailSerializer):
    specialty = serializers.CharField(source="article.specialty.slug")
    etag = serializers.SerializerMethodField(help_text="Send it back as If-Match when you PUT.")

    def get_etag(self, version: ArticleVersion) -> str:
        return etag_for(version)


class ArticleListSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    state = serializers.ChoiceField(choices=ArticleState.choices)
    specialty = serializers.CharField(source="specialty.slug")
    owner = serializers.CharField(source="owner.get_username")
    published_version = serializers.IntegerField(source="published_version.number", allow_null=True)
    latest_version = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class ReviewStatusSerializer(serializers.Serializer):
    version = serializers.IntegerField(allow_null=True, help_text="The submitted version under review.")
    round = serializers.IntegerField(allow_null=True)
    approvals = serializers.IntegerField()
    approvals_needed = serializers.IntegerField()
    assignments = serializers.DictField(
        child=serializers.IntegerField(), help_text="How many assignments of that version are in each status."
    )
    decisions = serializers.DictField(child=serializers.IntegerField())


class ArticleDetailSerializer(ArticleListSerializer):
    first_published_at = serializers.DateTimeField(allow_null=True)
    last_updated_at = serializers.DateTimeField(allow_null=True)
    last_reviewed_at = serializers.DateTimeField(allow_null=True)
    next_review_due = serializers.DateField(allow_null=True)
    working_draft = serializers.IntegerField(
        source="working_draft_number", allow_null=True, help_text="Number of the editable version."
    )
    versions = VersionSummarySerializer(many=True, source="version_list")
    review_status = ReviewStatusSerializer()
    allowed_actions = serializers.ListField(
        source="api_allowed_actions",
        child=serializers.CharField(),
        help_text="Actions you can POST to /articles/{slug}/{action}/ now.",
    )
    warnings = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="After submitting: what reviewers may notice.",
    )


# --- reviewing ---------------------------------------------------------------------------------


class PersonSerializer(serializers.Serializer):
    username = serializers.CharField()
    display_name = serializers.CharField()
    credentials = serializers.CharField()


class AssignmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    article = serializers.CharField(source="article.slug")
    version = serializers.IntegerField(source="version.number")
    round = serializers.IntegerField()
    reviewer = serializers.SerializerMethodField()
    assigned_by = serializers.CharField(source="assigned_by.get_username")
    status = serializers.ChoiceField(choices=AssignmentStatus.choices)
    invited_at = serializers.DateTimeField()
    respond_by = serializers.DateTimeField()
    accepted_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    declined_at = serializers.DateTimeField(allow_null=True)
    decline_reason = serializers.CharField()
    completed_at = serializers.DateTimeField(allow_null=True)
    conflict_declared_at = serializers.DateTimeField(allow_null=True)
    conflict_category = serializers.CharField()
    conflict_blocks = serializers.BooleanField()

    @extend_schema_field(PersonSerializer)
    def get_reviewer(self, assignment) -> dict[str, str]:
        member = assignment.reviewer
        return {
            "username": member.user.get_username(),
            "display_name": member.display_name,
            "credentials": member.credentials,
        }


class AssignmentDetailSerializer(AssignmentSerializer):
    text_available = serializers.BooleanField(help_text="Whether you can read the version to review.")
    text = VersionDetailSerializer(allow_null=True, help_text="The exact version to review.")


class AssignInSerializer(serializers.Serializer):
    reviewer = serializers.CharField(max_length=150, help_text="The board member's username.")
    due_at = StorableDateTimeSerializerField(required=False, allow_null=True, default=None)
    respond_by = StorableDateTimeSerializerField(required=False, allow_null=True, default=None)


class DeclineInSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=MAX_TEXT, allow_blank=True)
    suggested_alternative = serializers.CharField(max_length=200, allow_blank=True, default="")


class ConflictInSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=ConflictCategory.choices)
    details = serializers.CharField(max_length=MAX_TEXT, allow_blank=True, default="")


class SectionCommentInSerializer(serializers.Serializer):
    section = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, help_text="A section id of the version."
    )
    quote = serializers.CharField(max_length=MAX_TEXT, allow_blank=True, default="")
    comment = serializers.CharField(max_length=MAX_TEXT, allow_blank=True)


class ReviewInSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=Decision.choices)
    comments = serializers.CharField(max_length=MAX_TEXT, allow_blank=True, default="")
    section_comments = SectionCommentInSerializer(many=True, default=list, max_length=500)
    checklist = serializers.DictField(child=StrictBooleanField(), default=dict)
    password = serializers.CharField(
        max_length=4096,
        required=False,
        allow_blank=True,
        write_only=True,
        trim_whitespace=False,
        help_text="Required to approve: an approval is an electronic signature.",
    )


class ReviewOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    assignment = serializers.IntegerField(source="assignment_id")
    version = serializers.IntegerField(source="version.number")
    decision = serializers.CharField()
    comments = serializers.CharField()
    checklist = serializers.DictField(child=serializers.BooleanField())
    submitted_at = serializers.DateTimeField()
    signer_name = serializers.CharField()
    signer_credentials = serializers.CharField()
    signed_at = serializers.DateTimeField(allow_null=True)
    signature_meaning = serializers.CharField()
    signed_content_hash = serializers.CharField()
    article_state = serializers.CharField(source="version.article.state")


class SuggestionSerializer(PersonSerializer):
    specialty_match = serializers.BooleanField()
    open_assignments = serializers.IntegerField()
    median_turnaround_hours = serializers.FloatField(allow_null=True)


class ReasonOutSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class ExclusionSerializer(PersonSerializer):
    reasons = ReasonOutSerializer(many=True)


class SuggestionsSerializer(serializers.Serializer):
    article = serializers.CharField()
    eligible = SuggestionSerializer(many=True, help_text="Best first.")
    excluded = ExclusionSerializer(many=True)


class SuggestionsQuerySerializer(serializers.Serializer):
    article = serializers.SlugField(max_length=_max_length(Article, "slug"))


class DiffQuerySerializer(serializers.Serializer):
    against = serializers.IntegerField(
        min_value=1, max_value=2**31 - 1, help_text="The version to compare with."
    )


class WordOpSerializer(serializers.Serializer):
    op = serializers.CharField()
    old = serializers.CharField()
    new = serializers.CharField()


class SectionDiffSerializer(serializers.Serializer):
    audience = serializers.CharField()
    status = serializers.CharField()
    old_heading = serializers.CharField(allow_null=True)
    new_heading = serializers.CharField(allow_null=True)
    ops = WordOpSerializer(many=True)


class ReferenceDiffSerializer(serializers.Serializer):
    key = serializers.CharField()
    status = serializers.CharField()
    old = serializers.DictField(allow_null=True)
    new = serializers.DictField(allow_null=True)
    changed_fields = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_changed_fields(self, diff) -> dict[str, Any]:
        return {name: {"old": old, "new": new} for name, (old, new) in diff.changed_fields.items()}


class VersionDiffSerializer(serializers.Serializer):
    old_number = serializers.IntegerField()
    new_number = serializers.IntegerField()
    has_changes = serializers.BooleanField()
    title = WordOpSerializer(many=True)
    summary = WordOpSerializer(many=True)
    sections = serializers.DictField(child=SectionDiffSerializer(many=True))
    references = ReferenceDiffSerializer(many=True)


# --- audit, notifications, tokens ----------------------------------------------------------------


class AuditEventSerializer(serializers.Serializer):
    seq = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    actor = serializers.CharField(source="actor_label")
    action = serializers.CharField()
    target_type = serializers.CharField()
    target_id = serializers.CharField()
    article = serializers.SerializerMethodField()
    state_before = serializers.CharField()
    state_after = serializers.CharField()
    payload = serializers.JSONField()
    ip_address = serializers.CharField(allow_null=True)
    leaf_hash = serializers.CharField(
        help_text="The event's RFC 6962 leaf hash in the review log (hex); empty for events of the old "
        "hash chain, whose leaf the log computes when it seals them."
    )
    hash = serializers.CharField(
        allow_null=True, help_text="The old hash chain's hash: events written before the review log only."
    )
    prev_hash = serializers.CharField(
        allow_null=True, help_text="The old hash chain's link: events written before the review log only."
    )

    def get_article(self, event) -> str | None:
        return event.article.slug if event.article_id and event.article else None


class NotificationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    title = serializers.CharField()
    body = serializers.CharField()
    url = serializers.CharField(source="absolute_url")
    article = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)

    def get_article(self, notification) -> str | None:
        return notification.article.slug if notification.article_id else None


class TokenCredentialsSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, write_only=True)


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Shown once: send it as Authorization: Token <token>.")
    prefix = serializers.CharField()
    name = serializers.CharField()


class ApiTokenSerializer(serializers.Serializer):
    """A token as its owner and managing editors see it: never its key, which was shown once."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    prefix = serializers.CharField(help_text="The key's first characters, to tell tokens apart.")
    user = serializers.CharField(source="user.get_username")
    created_by = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    last_used_at = serializers.DateTimeField(allow_null=True)
    expires_at = serializers.DateTimeField(allow_null=True, help_text="Null: works until revoked.")
    revoked_at = serializers.DateTimeField(allow_null=True)
    active = serializers.BooleanField(source="is_active", help_text="Neither revoked nor expired.")
    current = serializers.SerializerMethodField(help_text="The token this request was made with.")

    def get_created_by(self, token) -> str | None:
        return token.created_by.get_username() if token.created_by_id else None

    def get_current(self, token) -> bool:
        return token.pk == self.context.get("current_token_id")


# --- what readers see ----------------------------------------------------------------------------


class PublicArticleListItemSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField(source="published_version.title")
    summary = serializers.SerializerMethodField()
    specialty = serializers.CharField(source="published_version.specialty.name")
    specialty_slug = serializers.CharField(source="published_version.specialty.slug")
    audiences = serializers.SerializerMethodField()
    version = serializers.IntegerField(source="published_version.number")
    first_published_at = serializers.DateTimeField(allow_null=True)
    last_updated_at = serializers.DateTimeField(allow_null=True)
    last_reviewed_at = serializers.DateTimeField(allow_null=True)

    def get_summary(self, article) -> str:
        return text_of(article.published_version.summary)

    def get_audiences(self, article) -> list[str]:
        return [a for a, has in ((Audience.PATIENT, article.has_patient),
                                 (Audience.PROFESSIONAL, article.has_professional)) if has]  # fmt: skip


class PublicReviewerSerializer(serializers.Serializer):
    name = serializers.CharField()
    credentials = serializers.CharField()
    signed_at = serializers.DateTimeField()
    profile_url = serializers.CharField()


class PublicReferenceSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    title = serializers.CharField()
    authors = serializers.CharField()
    source = serializers.CharField()
    year = serializers.IntegerField()
    doi = serializers.CharField()
    pmid = serializers.CharField()
    evidence_label = serializers.CharField()
    links = serializers.ListField(child=serializers.CharField())


class PublicArticleSerializer(serializers.Serializer):
    slug = serializers.CharField()
    url = serializers.CharField()
    specialty = serializers.CharField()
    version = serializers.IntegerField(help_text="The published version: the only one readers see.")
    title = serializers.CharField()
    summary = serializers.CharField()
    audience = serializers.CharField(help_text="The audience version shown.")
    audiences = serializers.ListField(child=serializers.CharField())
    audience_unavailable = serializers.BooleanField(
        help_text="The audience asked for is not written for this article; the default one is shown."
    )
    body_html = serializers.CharField(help_text="Sanitised HTML, as on the article page.")
    references = PublicReferenceSerializer(many=True)
    reviewers = PublicReviewerSerializer(many=True)
    machine_drafted = serializers.BooleanField()
    generator = serializers.CharField()
    is_correction = serializers.BooleanField()
    correction_notice = serializers.CharField()
    change_summary = serializers.CharField()
    first_published_at = serializers.DateTimeField(allow_null=True)
    last_updated_at = serializers.DateTimeField(allow_null=True)
    last_reviewed_at = serializers.DateTimeField(allow_null=True)
    next_review_due = serializers.DateField(allow_null=True)


class PublicArticleQuerySerializer(serializers.Serializer):
    audience = serializers.ChoiceField(choices=Audience.choices, required=False)


# --- webhooks ------------------------------------------------------------------------------------


class EndpointSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    client = serializers.CharField(source="client.username")
    url = serializers.CharField()
    kinds = serializers.ListField(child=serializers.ChoiceField(choices=EventKind.choices))
    active = serializers.BooleanField()
    description = serializers.CharField()
    created_at = serializers.DateTimeField()
    failing_since = serializers.DateTimeField(allow_null=True, help_text="Every attempt has failed since.")
    disabled_at = serializers.DateTimeField(allow_null=True)
    disabled_reason = serializers.CharField()


class EndpointCreatedSerializer(EndpointSerializer):
    secret = serializers.CharField(
        help_text="Shown once: verify each delivery's webhook-signature with it (Standard Webhooks)."
    )


class EndpointCreateSerializer(serializers.Serializer):
    client = serializers.CharField(max_length=150, help_text="Username of an integration client.")
    url = serializers.CharField(max_length=_max_length(Endpoint, "url"))
    kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=EventKind.choices), allow_empty=False, max_length=20
    )
    active = StrictBooleanField(default=True)
    description = serializers.CharField(
        max_length=_max_length(Endpoint, "description"), allow_blank=True, default=""
    )


class EndpointUpdateSerializer(serializers.Serializer):
    url = serializers.CharField(max_length=_max_length(Endpoint, "url"), required=False)
    kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=EventKind.choices),
        allow_empty=False,
        max_length=20,
        required=False,
    )
    active = StrictBooleanField(required=False)
    description = serializers.CharField(
        max_length=_max_length(Endpoint, "description"), allow_blank=True, required=False
    )


class AttemptSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    status_code = serializers.IntegerField(allow_null=True)
    latency_ms = serializers.IntegerField(allow_null=True)
    response_start = serializers.CharField(help_text="The first bytes of the answer.")
    error = serializers.CharField()
    succeeded = serializers.BooleanField()


class WebhookDeliverySerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    webhook_id = serializers.CharField(help_text="The webhook-id header: the same on every attempt.")
    kind = serializers.ChoiceField(choices=EventKind.choices)
    article = serializers.SerializerMethodField()
    status = serializers.ChoiceField(choices=DeliveryStatus.choices, source="delivery.status")
    attempt_count = serializers.IntegerField(source="delivery.attempts")
    created_at = serializers.DateTimeField()
    next_attempt_at = serializers.DateTimeField(source="delivery.next_attempt_at")
    sent_at = serializers.DateTimeField(source="delivery.sent_at", allow_null=True)
    last_error = serializers.CharField(source="delivery.last_error")
    body = serializers.SerializerMethodField()
    attempts = AttemptSerializer(many=True)

    def get_article(self, message) -> str | None:
        return message.article.slug if message.article_id else None

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_body(self, message) -> dict:
        return message.delivery.payload.get("body", {})

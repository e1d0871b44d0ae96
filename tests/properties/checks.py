"""What the review-promise state machine checks after every step, as plain functions.

Each ``check_*`` raises ``AssertionError`` naming the property (issue 14) it found broken.

Which article fields readers see, and where each must come from (the decision the issue asks
for, checked by ``reader_view``/``check_readers_see_only_approved``):

- versioned, reviewed content (from ``Article.published_version``, frozen and signed): title,
  summary, sections, references, change summary, correction notice, origin and generator;
- publication facts, written only by the ``publish`` step: which version is published,
  first published, last updated, last reviewed, next review due, who reviewed it (the
  version's signed approvals) -- they change only when a new version is published;
- the specialty: filed with each version (``ArticleVersion.specialty``, frozen with it);
  readers see the published version's, whatever the article's working value says.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db import transaction
from django.db.models import Prefetch

from articles.content import compute_content_hash
from articles.models import Article, ArticleState, ArticleVersion, Specialty
from audit.models import AuditEvent
from audit.verify import verify as verify_trail
from audit.verify_proof import verify_bundle
from core import audit_actions, log_key
from core.errors import DomainError
from public.index import index_articles, search_articles
from public.json_ld import review_facts
from public.pages import article_page, published_history, published_reviewers
from public.pointers import resolve_article
from public.render_cache import render_version
from public.verification import as_json, verification
from reviews import workflow
from reviews.board import _conflict_reasons, _facts
from reviews.models import BoardMember, ConflictOfInterest, Decision, Review, ReviewAssignment

S = ArticleState
# The workflow names its final states; nothing leaves them, and everything else has a way on.
# "rejected" ends a round, but a managing editor can still archive it (so it is not a dead end).
FINAL_STATES = workflow.FINAL_STATES
# Defects found and pinned by a strict-xfail test in tests/properties/test_regressions.py whose fix
# is pending elsewhere: their check is skipped here so the bounded runs stay green meanwhile.
# Remove the name when the fix lands (its xfail test then passes and must be flipped too).
KNOWN_OPEN: frozenset[str] = frozenset()
TRANSITION_EVENTS = frozenset(f"article.{action}" for action in workflow.TRANSITIONS)


# --- property 1: readers see only what was approved ------------------------------------------------


def reader_view(slug: str) -> dict[str, Any] | None:
    """Everything the public read side shows of the article at ``slug`` (None: nothing shown).

    Built by the same functions the article page, the public API, the index, the search and
    the history page call (``public/``), for the default and the professional audience.
    """
    ref = resolve_article(slug)
    if ref is None:
        return None
    pages = {}
    for audience in (None, "professional"):
        page = article_page(ref, audience)
        pages[audience or "-"] = {
            "shown": page.shown,
            "published": page.published,
            "reviewers": page.reviewers,
            "json_ld": review_facts(page, published_reviewers(page)),
        }
    listed = list(
        index_articles()
        .filter(pk=ref.id)
        .values(
            "title",
            "published_version__specialty__name",
            "published_version__specialty__slug",
            "published_version__summary",
            "last_updated_at",
        )
    )
    return {
        "article": {
            "slug": ref.slug,
            "title": ref.title,
            "specialty": (ref.specialty_name, ref.specialty_slug),
            "published": ref.published,
            "dates": (ref.first_published_at, ref.last_updated_at, ref.last_reviewed_at, ref.next_review_due),
        },
        "pages": pages,
        "history": published_history(ref),
        "index": listed,
        "found_by_title": list(search_articles(index_articles(), ref.title).values_list("pk", flat=True)),
    }


def counted_approvals(version: ArticleVersion) -> list[dict[str, Any]]:
    """The approvals of ``version`` readers were told about (signed before it was published)."""
    rows = Review.objects.filter(version=version, decision=Decision.APPROVE)
    if version.published_at is not None:
        rows = rows.filter(signed_at__lte=version.published_at)
    return list(
        rows.order_by("signed_at", "pk").values(
            "pk", "reviewer_id", "signed_content_hash", "signed_at", "assignment_id", "signer_id"
        )
    )


def writers_of(article: Article) -> set[int]:
    writers = {article.owner_id}
    for author_id, editor_id in ArticleVersion.objects.filter(article=article).values_list(
        "author_id", "last_edited_by_id"
    ):
        writers.update({author_id, editor_id})
    writers.discard(None)
    return writers


def check_quorum(article: Article, version: ArticleVersion, needed: int) -> None:
    """The published version holds ``needed`` approvals from distinct eligible members, bound to its text."""
    approvals = counted_approvals(version)
    stored_hash = compute_content_hash(version)
    assert stored_hash == version.content_hash, (
        f"Property 1: published v{version.number} of {article.slug} no longer matches its content hash."
    )
    for approval in approvals:
        assert approval["signed_content_hash"] == version.content_hash, (
            f"Property 1: an approval of v{version.number} of {article.slug} signed other text."
        )
    members = {
        m["pk"]: m
        for m in BoardMember.objects.filter(pk__in={a["reviewer_id"] for a in approvals}).values(
            "pk", "user_id", "credentials_expire_on"
        )
    }
    writers = writers_of(article)
    eligible = set()
    for approval in approvals:
        member = members[approval["reviewer_id"]]
        expire_on = member["credentials_expire_on"]
        if member["user_id"] in writers:
            continue
        if expire_on is None or expire_on < approval["signed_at"].date():
            continue
        eligible.add(member["pk"])
    assert len(eligible) >= needed, (
        f"Property 1/2: {article.slug} v{version.number} was published with {len(eligible)} distinct "
        f"eligible approver(s) ({len(approvals)} approval row(s)); {needed} are required."
    )


def check_readers_see_only_approved(article: Article, view: dict[str, Any] | None) -> None:
    """What readers see of ``article`` is its published version, rendered from the stored rows."""
    if not article.is_public:
        assert view is None, f"Property 1: readers see {article.slug}, which is not public ({article.state})."
        return
    assert view is not None, f"{article.slug} is published but readers cannot find it."
    version = ArticleVersion.objects.get(pk=article.published_version_id)
    ref = view["article"]["published"]
    assert ref.id == version.pk, f"Property 1: readers of {article.slug} are pointed at another version."
    assert view["article"]["title"] == version.title, (
        f"Property 1: the title readers see ({view['article']['title']!r}) is not published "
        f"v{version.number}'s ({version.title!r})."
    )
    for audience, page in view["pages"].items():
        fresh = render_version(ref, None if audience == "-" else audience)
        for name in ("shown", "published"):
            rendered = page[name]
            assert rendered.id == version.pk, (
                f"Property 1: readers of {article.slug} ({audience}) are shown v{rendered.number}, "
                f"not the published v{version.number}."
            )
            assert rendered == fresh, (
                f"Property 1: the {name} text readers of {article.slug} see differs from published "
                f"v{version.number} as stored."
            )
        names = [r.member_id for r in page["reviewers"]]
        assert len(names) == len(set(names)), (
            f"Property 2: a reviewer is listed twice under 'reviewed by' on {article.slug}: "
            f"{[r.name for r in page['reviewers']]}."
        )
        approvers = {a["reviewer_id"] for a in counted_approvals(version)}
        assert set(names) == approvers, f"Property 1: 'reviewed by' on {article.slug} is not its signers."
        jsonld_names = [p["name"] for p in page["json_ld"]["reviewedBy"]]
        assert len(jsonld_names) == len(set(jsonld_names)), (
            f"Property 2: JSON-LD of {article.slug} names a reviewer twice: {jsonld_names}."
        )
        assert page["json_ld"]["headline"] == version.title
    specialty = Specialty.objects.filter(pk=version.specialty_id).values_list("name", "slug").get()
    assert view["article"]["specialty"] == specialty, (
        f"Property 1: readers of {article.slug} see the specialty {view['article']['specialty']}, "
        f"published v{version.number} was reviewed under {specialty}."
    )
    for row in view["index"]:
        assert row["title"] == version.title, f"Property 1: the index shows another title for {article.slug}."
        assert (
            row["published_version__specialty__name"],
            row["published_version__specialty__slug"],
        ) == specialty
        assert row["published_version__summary"] == version.summary
    for entry in view["history"]:
        assert entry.published_at is not None


def check_reader_view_stable(slug: str, before: tuple | None, now: tuple | None) -> None:
    """Nothing readers see changes unless a new version was published (or the article left)."""
    if before is None or now is None:
        return
    (pv_before, view_before), (pv_now, view_now) = before, now
    if pv_before != pv_now or view_before is None or view_now is None:
        return
    for key in ("article", "pages", "index", "history"):
        if view_before[key] != view_now[key]:
            raise AssertionError(
                f"Property 1: what readers see of {slug} changed ({key}) without a new version "
                f"being published: {_difference(view_before[key], view_now[key])}"
            )


def _difference(before: Any, after: Any) -> str:
    if isinstance(before, dict) and isinstance(after, dict):
        return "; ".join(
            f"{k}: {before.get(k)!r} -> {after.get(k)!r}"
            for k in sorted(set(before) | set(after), key=str)
            if before.get(k) != after.get(k)
        )[:1500]
    return f"{before!r} -> {after!r}"[:1500]


# --- property 2: a person counts once --------------------------------------------------------------


def check_person_counts_once(article: Article) -> None:
    reviews = list(
        Review.objects.filter(version__article=article).values(
            "pk", "version_id", "reviewer_id", "decision", "submitted_at", "assignment_id"
        )
    )
    approvals = Counter(
        (r["version_id"], r["reviewer_id"]) for r in reviews if r["decision"] == Decision.APPROVE
    )
    twice = [key for key, n in approvals.items() if n > 1]
    assert not twice, (
        f"Property 2: on {article.slug} a member approved one version twice (version, member): {twice}."
    )
    if not reviews:
        return
    writers = writers_of(article)
    members = {
        m.pk: m
        for m in BoardMember.objects.filter(pk__in={r["reviewer_id"] for r in reviews}).prefetch_related(
            "conflicts"
        )
    }
    assignments = {
        a["pk"]: a
        for a in ReviewAssignment.objects.filter(pk__in={r["assignment_id"] for r in reviews}).values(
            "pk", "conflict_category", "conflict_override_at"
        )
    }
    facts = _facts(Article.objects.select_related("specialty").get(pk=article.pk))
    for review in reviews:
        member = members[review["reviewer_id"]]
        assert member.user_id not in writers, (
            f"Property 2: {member.display_name} reviewed {article.slug}, which they own or wrote."
        )
        a = assignments[review["assignment_id"]]
        blocking = a["conflict_category"] not in ("", "none") and a["conflict_override_at"] is None
        assert not blocking, (
            f"Property 2: {member.display_name} reviewed {article.slug} under a declared, "
            "not overridden conflict of interest."
        )
        standing = _conflict_reasons(
            _with_conflicts_standing_before(member, review["pk"]), facts, review["submitted_at"].date()
        )
        assert not standing, (
            f"Property 2: {member.display_name} reviewed {article.slug} while declaring a standing "
            f"conflict with it: {[r.message for r in standing]}"
        )


def _with_conflicts_standing_before(member: BoardMember, review_pk: int) -> BoardMember:
    """``member`` with only the standing conflicts declared (or last changed) before their review.

    Conflicts are dated by day, so one declared later on the review's own day would look as if it
    stood when they signed. The audit trail orders the two: its sequence numbers decide.
    """
    review_seq = (
        AuditEvent.objects.filter(
            action__in=(audit_actions.REVIEW_SUBMITTED, audit_actions.REVIEW_SIGNED),
            payload__review_id=review_pk,
        )
        .values_list("seq", flat=True)
        .first()
    )
    if review_seq is None:
        return member
    later = AuditEvent.objects.filter(
        action__in=(audit_actions.BOARD_CONFLICT_DECLARED, audit_actions.BOARD_CONFLICT_CHANGED),
        target_type="conflictofinterest",
        seq__gt=review_seq,
    ).values_list("target_id", flat=True)
    return BoardMember.objects.prefetch_related(
        Prefetch("conflicts", queryset=ConflictOfInterest.objects.exclude(pk__in=[int(pk) for pk in later]))
    ).get(pk=member.pk)


# --- property 3: no dead ends ------------------------------------------------------------------------


def check_no_dead_end(article: Article, people: dict[str, Any], probes: dict[tuple, str | None]) -> None:
    """Someone can move a non-final article on; a withdrawn, returned or draft article can go back
    into review (tried, then undone). ``probes`` remembers outcomes per article state and latest
    version: the same situation needs trying once."""
    if article.state in FINAL_STATES:
        return
    assert any(workflow.allowed_actions(article, user) for user in people.values()), (
        f"Property 3: nobody can move {article.slug} on from {article.state}."
    )
    if article.state not in (S.WITHDRAWN, S.CHANGES_REQUESTED, S.DRAFT):
        return
    latest = (
        ArticleVersion.objects.filter(article=article)
        .order_by("-number")
        .values_list("pk", "revision", "frozen_at")[:1]
    )
    key = (article.pk, article.state, article.published_version_id, tuple(latest))
    if key not in probes:
        probes[key] = back_into_review(article)
    assert probes[key] is None, (
        f"Property 3: the editor cannot get {article.slug} ({article.state}) back into review: {probes[key]}"
    )


def back_into_review(article: Article) -> str | None:
    """Try, and undo, what the article's editor would do to resubmit it; say what stops them."""
    from articles.drafting import DraftContent, save_draft
    from reviews.workflow import Action, open_working_draft, perform

    owner = Article.objects.select_related("owner").get(pk=article.pk).owner
    sid = transaction.savepoint_create()
    try:
        try:
            fresh = Article.objects.select_related("specialty", "owner", "published_version").get(
                pk=article.pk
            )
            draft = open_working_draft(fresh, owner)
            content = DraftContent.from_version(
                ArticleVersion.objects.prefetch_related("sections", "references").get(pk=draft.pk)
            )
            content.change_summary = content.change_summary or "Answered the reviewers."
            save_draft(fresh, content, expected_revision=draft.revision, actor=owner)
            perform(fresh, Action.SUBMIT, owner)
        except DomainError as exc:
            state = Article.objects.filter(pk=article.pk).values_list("state", flat=True).first()
            return f"{type(exc).__name__}: {exc.message} (state now {state})"
        state = Article.objects.get(pk=article.pk).state
        if state not in (S.SUBMITTED, S.UNDER_REVIEW):
            return f"after resubmitting it is {state}"
        return None
    finally:
        transaction.savepoint_rollback(sid)


# --- property 4: every state change is audited once; the chain holds ----------------------------------


def check_state_changes_audited(
    states_before: dict[int, str], states_now: dict[int, str], events: list[dict[str, Any]]
) -> None:
    transitions: dict[int, list[dict[str, Any]]] = {}
    for event in events:
        if event["action"] in TRANSITION_EVENTS and event["article_id"] is not None:
            transitions.setdefault(event["article_id"], []).append(event)
    for pk, before in states_before.items():
        after = states_now.get(pk, "deleted")
        chain = transitions.get(pk, [])
        if before == after:
            assert not chain, (
                f"Property 4: article #{pk} stayed {before} but the step wrote transition events "
                f"{[(e['action'], e['state_before'], e['state_after']) for e in chain]}."
            )
            continue
        assert chain, f"Property 4: article #{pk} went {before} -> {after} with no audit event."
        walked = before
        for event in chain:
            assert event["state_before"] == walked and event["state_after"] != walked, (
                f"Property 4: article #{pk}'s audit events do not retrace {before} -> {after}: "
                f"{[(e['action'], e['state_before'], e['state_after']) for e in chain]}."
            )
            walked = event["state_after"]
        assert walked == after, (
            f"Property 4: article #{pk} is {after} but its audit events end at {walked}: "
            f"{[(e['action'], e['state_before'], e['state_after']) for e in chain]}."
        )


def check_chain() -> None:
    report = verify_trail()
    assert report.ok, f"Property 4: verify_audit fails: {report.problem}."


def check_published_version_provable(article: Article) -> bool:
    """Property 1, as a reader can check it: the published version's approvals and its publication
    are each one audit event, and once sealed, the public "Verify this review" answer passes the
    standalone verifier with nothing but the log's public key. True when it was checked so."""
    shown = resolve_article(article.slug)
    if shown is None:
        return False  # readers see nothing of it (archived, say): nothing for them to prove
    found = verification(shown)
    assert found is not None, f"Property 1: {article.slug} is published but has no verification record."
    missing = [e.kind for e in found.record.events if e.status == "not_in_log"]
    assert not missing, f"Property 1: {article.slug}'s published version has no log entry for: {missing}."
    if not found.record.complete:
        return False  # not sealed yet: the sealer runs when time passes
    result = verify_bundle(as_json(found), log_key.verifier())
    assert result.ok, f"Property 1: the verifier refuses {article.slug}: {result.problems or result.events}"
    return True


def events_since(seq: int) -> list[dict[str, Any]]:
    return list(
        AuditEvent.objects.filter(seq__gt=seq)
        .order_by("seq")
        .values("seq", "action", "article_id", "target_type", "target_id", "state_before", "state_after")
    )


def head_seq() -> int:
    return AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0

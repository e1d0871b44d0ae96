"""The dashboard at /desk/articles/: your articles by state, filters, search, counts."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from accounts.roles import EDITOR, REVIEWER
from articles.models import Article
from tests.desk.articles.desk_setup import client_for
from tests.factories import make_article, make_specialty, make_user, submit, valid_content

DASHBOARD = "/desk/articles/"  # desk:dashboard


def titles(response) -> list[str]:
    return [a.title for a in response.context["page"].object_list]


def counts(response) -> dict[str, int]:
    return {s["value"]: s["count"] for s in response.context["states"]}


def test_an_editor_sees_only_their_own_articles(editor):
    make_article(editor, content=valid_content(title="Mine"))
    make_article(make_user("other", EDITOR), content=valid_content(title="Theirs"))

    response = client_for(editor).get(DASHBOARD)

    assert response.status_code == 200
    assert titles(response) == ["Mine"]


def test_a_managing_editor_sees_every_article(editor, managing):
    make_article(editor, content=valid_content(title="Mine"))
    make_article(make_user("other", EDITOR), content=valid_content(title="Theirs"))

    assert sorted(titles(client_for(managing).get(DASHBOARD))) == ["Mine", "Theirs"]


def test_counts_per_state_and_the_state_filter(editor):
    make_article(editor, content=valid_content(title="Draft one"))
    make_article(editor, content=valid_content(title="Draft two"))
    submit(make_article(editor, content=valid_content(title="Sent")), editor)
    client = client_for(editor)

    everything = client.get(DASHBOARD)
    assert counts(everything)["draft"] == 2 and counts(everything)["submitted"] == 1
    assert everything.context["total"] == 3

    submitted = client.get(DASHBOARD, {"state": "submitted"})
    assert titles(submitted) == ["Sent"]
    # The per-state counts still describe every state, so the other tabs stay useful.
    assert counts(submitted)["draft"] == 2


def test_specialty_and_search_filters_and_counts_follow_them(editor):
    cardio = make_specialty("cardiology")
    make_article(editor, content=valid_content(title="Asthma in children"))
    make_article(editor, cardio, content=valid_content(title="Atrial fibrillation"))
    make_article(editor, cardio, content=valid_content(title="Heart failure"))
    client = client_for(editor)

    by_specialty = client.get(DASHBOARD, {"specialty": "cardiology"})
    assert sorted(titles(by_specialty)) == ["Atrial fibrillation", "Heart failure"]
    assert counts(by_specialty)["draft"] == 2

    searched = client.get(DASHBOARD, {"q": "atrial"})
    assert titles(searched) == ["Atrial fibrillation"]


def test_updated_since_filter(editor):
    old = make_article(editor, content=valid_content(title="Old"))
    make_article(editor, content=valid_content(title="Recent"))
    Article.objects.filter(pk=old.pk).update(updated_at=timezone.now() - datetime.timedelta(days=30))
    since = (timezone.now() - datetime.timedelta(days=7)).date().isoformat()

    response = client_for(editor).get(DASHBOARD, {"updated_after": since})

    assert titles(response) == ["Recent"]
    assert 'type="date"' in response.content.decode()


def test_a_malformed_filter_is_reported_not_a_500(editor):
    make_article(editor)

    response = client_for(editor).get(DASHBOARD, {"updated_after": "last tuesday", "state": "nonsense"})

    assert response.status_code == 200
    assert "Some filters could not be used" in response.content.decode()


def test_pagination(editor):
    specialty = make_specialty()
    for i in range(27):
        make_article(editor, specialty, content=valid_content(title=f"Article {i:02d}"))
    client = client_for(editor)

    first = client.get(DASHBOARD)
    second = client.get(DASHBOARD, {"page": 2})

    assert len(first.context["page"].object_list) == 25
    assert len(second.context["page"].object_list) == 2
    assert set(titles(first)).isdisjoint(titles(second))


def test_new_article_button_only_for_editors(editor, managing):
    assert reverse("desk:new") in client_for(editor).get(DASHBOARD).content.decode()
    # Managing editors see every article but do not hold the drafting permission.
    assert reverse("desk:new") not in client_for(managing).get(DASHBOARD).content.decode()


def test_the_new_article_form_is_not_shown_to_whom_it_would_refuse(managing):
    # The button is hidden, and the address typed by hand is refused before any form.
    assert client_for(managing).get(reverse("desk:new")).status_code == 403


def test_reviewers_and_anonymous_are_kept_out(db, client):
    reviewer = make_user("rev", REVIEWER)

    assert client_for(reviewer).get(DASHBOARD).status_code == 403
    assert client.get(DASHBOARD).status_code == 302


def test_the_count_above_the_list_is_the_count_of_what_it_lists(editor):
    # The view takes the list's length from the per-state counts instead of counting again.
    make_article(editor, content=valid_content(title="Draft one"))
    make_article(editor, content=valid_content(title="Draft two"))
    submit(make_article(editor, content=valid_content(title="Sent")), editor)
    client = client_for(editor)

    for params, expected in [
        ({}, 3),
        ({"state": "draft"}, 2),
        ({"state": "submitted"}, 1),
        ({"state": "published"}, 0),
        ({"state": "nonsense"}, 3),  # an unreadable state filters nothing, and is reported
        ({"state": "draft", "q": "one"}, 1),
    ]:
        response = client.get(DASHBOARD, params)
        assert response.context["page"].paginator.count == expected == len(titles(response)), params
        assert f"{expected} article" in response.content.decode()


def test_the_version_column_shows_each_articles_latest_version(editor, managing):
    from reviews.workflow import open_working_draft
    from tests.factories import approve_directly

    make_article(editor, content=valid_content(title="First draft"))
    revised = approve_directly(
        submit(make_article(editor, content=valid_content(title="Revised")), editor),
        make_user("rev", REVIEWER),
        managing,
    )
    open_working_draft(revised, editor)

    response = client_for(editor).get(DASHBOARD)

    assert {a.title: a.latest_number for a in response.context["page"].object_list} == {
        "First draft": 1,
        "Revised": 2,
    }


def test_search_results_are_listed_newest_first_like_the_rest(editor):
    # A search is ordered by a sort rather than an index (articles.ordering): same order.
    now = timezone.now()
    for days, title in [(3, "Asthma old"), (1, "Asthma new"), (2, "Asthma middle"), (0, "Gout")]:
        article = make_article(editor, content=valid_content(title=title))
        Article.objects.filter(pk=article.pk).update(updated_at=now - datetime.timedelta(days=days))

    response = client_for(editor).get(DASHBOARD, {"q": "asthma"})

    assert titles(response) == ["Asthma new", "Asthma middle", "Asthma old"]

"""Well-known XSS payloads through every field the public pages render: nothing executable comes out."""

import pytest

from articles.drafting import ReferenceInput, SectionInput
from articles.models import Audience, Origin, Reference, ReferenceKind
from reviews.models import BoardMember, ConflictOfInterest
from site_content.models import EditorialPolicy
from tests.factories import make_article, make_specialty, submit, valid_content
from tests.public.public_setup import (
    approve_and_publish,
    assert_nothing_executable,
    publish_new_version,
    reviewer,
    second_version,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

PAYLOADS = [
    "<script>alert(1)</script>",
    "<ScRiPt src=//evil.example/x.js></ScRiPt>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<body onload=alert(1)>",
    "<details open ontoggle=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](  javascript:alert(1) )",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "![x](javascript:alert(1))",
    "<iframe src=javascript:alert(1)></iframe>",
    '<object data="javascript:alert(1)"></object>',
    "<form action=javascript:alert(1)><button>x</button></form>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    "</script><script>alert(1)</script>",
    "<!--<script>alert(1)//-->",
    "<base href=//evil.example/>",
    "`<img src=x onerror=alert(1)>`",
    "```\n</code><script>alert(1)</script>\n```",
]


def _publish_everything_with(payload: str, editor, managing, number: int):
    """An article where every field readers see carries ``payload``, with a board member,
    a disclosure, a corrected second version and the editorial policy carrying it too."""
    one_line = " ".join(payload.split())
    board_user = reviewer(
        f"rev{number}",
        display_name=one_line[:150],
        credentials=one_line[:150],
        bio=payload,
    )
    member = BoardMember.objects.get(user=board_user)
    ConflictOfInterest.objects.create(member=member, kind="topic", topic=one_line[:300], details=payload)
    specialty = make_specialty(f"spec-{number}", name=one_line[:100])
    nasty_reference = ReferenceInput(
        number=1,
        kind=ReferenceKind.GUIDELINE,
        title=one_line[:500],
        source=one_line[:300],
        authors=one_line[:500],
        year=2020,
        doi='10.1234/x"><svg/onload=alert(1)>',
        pmid="12345",
    )
    content = valid_content(
        title=one_line[:250],
        summary=f"{payload} [1]",
        sections=[
            SectionInput(Audience.PATIENT, one_line[:200], f"{payload}\n\nCited [1] and [2]."),
            SectionInput(Audience.PROFESSIONAL, one_line[:200], f"{payload}\n\nCited [1, 2]."),
        ],
        references=[nasty_reference, *valid_content().references[1:]],
    )
    article = make_article(editor, specialty, content, origin=Origin.MACHINE, generator=one_line[:200])
    # A URL the model would refuse on input, planted directly: the page must still not link it.
    Reference.objects.filter(version__article=article, number=2).update(url="javascript:alert(1)", doi="")
    article = approve_and_publish(submit(article, editor), managing, [board_user])
    corrected = second_version(
        title=one_line[:250],
        change_summary=payload,
        is_correction=True,
        correction_notice=payload,
        summary=f"{payload} [1]",
        references=[nasty_reference, *valid_content().references[1:]],
    )
    article = publish_new_version(article, editor, managing, [board_user], corrected)
    EditorialPolicy.objects.create(body=payload)
    return article, member


@pytest.mark.parametrize("payload", PAYLOADS)
def test_nothing_executable_reaches_any_public_page(client, editor, managing, payload):
    number = PAYLOADS.index(payload)
    article, member = _publish_everything_with(payload, editor, managing, number)
    base = f"/articles/{article.slug}/"
    paths = [
        base,
        f"{base}?audience=professional",
        f"{base}versions/1/",
        f"{base}versions/1/?audience=professional",
        f"{base}history/",
        f"{base}feedback/",
        "/articles/",
        f"/articles/?specialty={article.specialty.slug}",
        "/board/",
        f"/board/{member.pk}/",
        "/editorial-policy/",
    ]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        assert_nothing_executable(html)
        # The payload was shown (as text), not silently dropped: the pages really rendered the fields.
        assert any(marker in html for marker in ("alert(1)", "evil.example", "msgbox(1)", "base64,")), path


def test_the_checker_itself_catches_each_kind_of_hole():
    """The assertion above is only as good as this: each known hole must trip it."""
    holes = [
        "<script>alert(1)</script>",
        '<img src="x" onerror="alert(1)">',
        '<a href=" javascript:alert(1)">x</a>',
        '<a href="data:text/html,x">x</a>',
        "<svg></svg>",
        '<div style="background:url(x)"></div>',
        '<script type="application/ld+json">{"a": "</b>"}</script>',
        '<form action="javascript:alert(1)"></form>',
    ]
    for hole in holes:
        with pytest.raises(AssertionError):
            assert_nothing_executable(f"<p>{hole}</p>")
    assert_nothing_executable(
        '<p><a href="/x">ok</a><script type="application/ld+json">{"a": 1}</script></p>'
    )

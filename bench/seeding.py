"""Realistic data at scale, fast: what ``manage.py seed_bench`` writes and how.

What: specialties, editors, managing editors (with the specialties they look
after), board members, and N articles across every state (most of them
published), each with 2-5 versions (all but a working draft frozen, dates
spread over the past years, content hashes computed by the real
``compute_content_hash``), patient and professional sections, 5-30 references
per version, review assignments and signed reviews for every reviewed version,
and the audit events the real workflow writes for all of it: about 25 per
article, sealed into the review log.

How, and why it bypasses the domain layer: driving 100,000 articles through
``reviews.workflow`` would take hours (each step is a transaction of dozens of
queries, and each signature a deliberately slow password check). Instead the
rows are generated in Python with the shapes the domain code produces and
written in bulk: with PostgreSQL's ``COPY`` (psycopg's ``cursor.copy``) when
on PostgreSQL, with ``executemany`` elsewhere (the SQLite test). Both go
below the ORM, so the model guards do not run: the frozen-version guards
(``VersionPartQuerySet.bulk_create`` refuses parts of a frozen version) and
``AuditEvent.save``. That is deliberate and safe here, because each version's
parts are written in the same transaction as the version itself, complete,
and never changed afterwards; what the guards protect (a frozen version's
content never changing after its hash was taken) holds by construction. The
database's own protections still apply: the audit trigger only refuses
UPDATE/DELETE, and foreign keys are deferred to commit, which lets an article
point at its published version before that version's row is written.

The audit events are written as ``audit.trail.record`` writes them (review log
entries of version 2, ``audit.entries``): sorted by time, each given an id (and
``seq``) drawn from the id column's own sequence, the writing transaction's id
(``xact``), a secret ``request_salt`` and its leaf hash. They are one
transaction per chunk, or (PostgreSQL, while the table's indexes are rebuilt)
one transaction for all, so ``(xact, seq)``, the order the sealer appends in,
is the order of time, after every event already in the database; a concurrent
``record`` call simply lands before or after. The seed ends by sealing the log
(``audit.log.seal_all``), so the bench database starts with every event in a
signed checkpoint. No notifications are written for seeded events: the audit
listeners only run inside ``record``.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import queue
import random
import secrets
import threading
import time
from collections import Counter, namedtuple
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.text import slugify

import core.audit_actions as audit_actions
from accounts.roles import EDITOR, MANAGING_EDITOR, REVIEWER, ensure_role_groups
from articles.content import compute_content_hash
from articles.models import (
    Article,
    ArticleState,
    ArticleVersion,
    Audience,
    EvidenceLevel,
    Reference,
    ReferenceKind,
    Section,
    Specialty,
)
from audit import entries as audit_entries
from audit.log import seal_all
from audit.models import AuditEvent, LogLeaf, LogNode
from reviews.models import (
    CHECKLIST_ITEMS,
    AssignmentStatus,
    BoardMember,
    ConflictCategory,
    ConflictKind,
    ConflictOfInterest,
    Decision,
    Review,
    ReviewAssignment,
)
from reviews.workflow import TRANSITIONS, next_review_date

S = ArticleState
UTC = dt.UTC
EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)
DAY = 86_400.0
PASSWORD = "vetted-bench"
SIGNATURE_MEANING = "I approve version {number} of this article as medically accurate."

# Final states, weighted like a mature publisher's catalogue: most articles published.
STATE_WEIGHTS: dict[str, int] = {
    S.PUBLISHED: 60,
    S.ARCHIVED: 6,
    S.DRAFT: 7,
    S.SUBMITTED: 4,
    S.UNDER_REVIEW: 8,
    S.CHANGES_REQUESTED: 5,
    S.APPROVED: 4,
    S.REJECTED: 3,
    S.WITHDRAWN: 3,
}
VERSION_WEIGHTS = {2: 40, 3: 30, 4: 18, 5: 12}
IN_FLIGHT = {S.DRAFT, S.SUBMITTED, S.UNDER_REVIEW, S.CHANGES_REQUESTED, S.APPROVED}

SPECIALTIES: list[tuple[str, int, int, list[str]]] = [
    # name, review interval (months), approvals needed, conditions
    ("Cardiology", 12, 1, ["atrial fibrillation", "heart failure", "hypertension", "angina"]),
    ("Obstetrics", 12, 1, ["pre-eclampsia", "gestational diabetes", "preterm labour", "placenta praevia"]),
    ("Oncology", 12, 2, ["breast cancer", "colorectal cancer", "lung cancer", "melanoma"]),
    ("Paediatrics", 12, 2, ["bronchiolitis", "croup", "febrile seizures", "otitis media"]),
    ("Endocrinology", 24, 1, ["type 2 diabetes", "hypothyroidism", "Cushing syndrome", "osteoporosis"]),
    ("Neurology", 24, 1, ["migraine", "epilepsy", "Parkinson disease", "multiple sclerosis"]),
    ("Dermatology", 24, 1, ["psoriasis", "atopic eczema", "acne", "rosacea"]),
    ("Gastroenterology", 24, 1, ["coeliac disease", "Crohn disease", "reflux disease", "gallstones"]),
    ("Respiratory medicine", 12, 1, ["asthma", "COPD", "sleep apnoea", "pneumonia"]),
    ("Rheumatology", 24, 1, ["rheumatoid arthritis", "gout", "lupus", "osteoarthritis"]),
    ("Psychiatry", 12, 1, ["depression", "generalised anxiety", "bipolar disorder", "insomnia"]),
    ("Nephrology", 24, 1, ["chronic kidney disease", "kidney stones", "nephrotic syndrome", "dialysis"]),
    ("Urology", 24, 1, ["prostate enlargement", "urinary incontinence", "bladder infection", "prostatitis"]),
    ("Ophthalmology", 24, 1, ["glaucoma", "cataract", "macular degeneration", "dry eye"]),
    ("Infectious diseases", 12, 1, ["Lyme disease", "shingles", "influenza", "tuberculosis"]),
    ("Haematology", 24, 1, ["iron deficiency anaemia", "sickle cell disease", "haemophilia", "thrombosis"]),
    ("Geriatrics", 24, 1, ["falls", "delirium", "frailty", "dementia"]),
    ("Orthopaedics", 24, 1, ["hip fracture", "back pain", "carpal tunnel syndrome", "tennis elbow"]),
    ("Otolaryngology", 24, 1, ["tinnitus", "sinusitis", "tonsillitis", "hearing loss"]),
    ("Allergy", 24, 1, ["peanut allergy", "hay fever", "anaphylaxis", "urticaria"]),
    ("Gynaecology", 12, 1, ["endometriosis", "menopause", "fibroids", "polycystic ovary syndrome"]),
    ("Vascular surgery", 24, 1, ["varicose veins", "aortic aneurysm", "peripheral artery disease", "DVT"]),
    ("Sports medicine", 24, 1, ["concussion", "ankle sprain", "runner's knee", "shin splints"]),
    ("Public health", 24, 1, ["vaccination", "smoking cessation", "obesity", "alcohol use"]),
]
ANGLES = [
    "what you need to know",
    "diagnosis and treatment",
    "causes and risk factors",
    "living with it",
    "in older adults",
    "in pregnancy",
    "when to see a doctor",
    "medicines and side effects",
    "prevention",
    "the latest evidence",
]
PATIENT_HEADINGS = ["What is it?", "Symptoms", "Causes", "Treatment", "When to get help", "Living with it"]
PRO_HEADINGS = ["Epidemiology", "Diagnosis", "Management", "Prognosis", "Evidence summary", "Referral"]
PATIENT_SENTENCES = [
    "Many people with {c} have no symptoms at first.",
    "Your doctor can usually tell if you have {c} from a short check-up.",
    "Treatment for {c} depends on how bad the symptoms are.",
    "Some people find that small changes to daily habits help a lot.",
    "Tell your doctor if the symptoms get worse or do not go away.",
    "Medicines can ease the symptoms of {c} for most people.",
    "It is not your fault if you get {c}.",
    "Regular check-ups help your care team spot problems early.",
    "Call an ambulance if you have chest pain or trouble breathing.",
    "Ask your pharmacist before taking other medicines with your treatment.",
    "Eating well and staying active can lower your risk.",
    "Some tests need you to stop eating for a few hours before.",
    "You may need to see a specialist if the first treatment does not work.",
    "Most people with {c} can keep working and doing the things they enjoy.",
    "Write down your questions before you see your doctor.",
    "Your family may be able to help you keep track of your medicines.",
    "Side effects are usually mild and often get better after a few weeks.",
    "Do not stop a medicine suddenly without talking to your doctor.",
    "Support groups can help you and your family cope.",
    "Children can get {c} too, and their treatment may be different.",
]
PRO_SENTENCES = [
    "The estimated prevalence of {c} in adults ranges from two to five percent.",
    "Diagnosis of {c} relies on clinical assessment supported by targeted investigations.",
    "First-line management follows current national guideline recommendations.",
    "Randomised controlled trials have demonstrated a modest reduction in adverse outcomes.",
    "Observational cohorts suggest an association with cardiovascular comorbidity.",
    "Consider specialist referral when first-line therapy fails to achieve symptom control.",
    "Monitoring should include renal function and electrolytes at baseline and follow-up.",
    "Evidence for combination therapy in {c} remains of low to moderate certainty.",
    "Shared decision-making is recommended given the balance of benefits and harms.",
    "Differential diagnoses include conditions with overlapping presentations.",
    "Systematic reviews report heterogeneity in outcome definitions across studies.",
    "Pharmacological therapy should be reviewed at least annually.",
    "Non-pharmacological interventions improve quality of life in selected patients.",
    "Screening asymptomatic individuals for {c} is not routinely recommended.",
    "Long-term prognosis of {c} depends on age, severity and adherence to therapy.",
    "Dose adjustment is required in hepatic or renal impairment.",
    "Population-based data indicate rising incidence over the past decade.",
    "Guideline recommendations differ on the threshold for initiating treatment.",
    "Multidisciplinary care is associated with fewer hospital admissions.",
    "Further trials are needed to establish optimal treatment duration in {c}.",
]
SUMMARIES = [
    "What {c} is, how it is diagnosed and the treatments that work.",
    "A guide to {c} for patients and the clinicians who care for them.",
    "The symptoms, causes and management of {c}, with the evidence behind them.",
    "How {c} is treated today, and what the latest research shows.",
]
SURNAMES = [
    "Smith",
    "Garcia",
    "Nguyen",
    "Okafor",
    "Kowalski",
    "Rossi",
    "Tanaka",
    "Haddad",
    "Müller",
    "Silva",
    "Johansson",
    "Patel",
    "Kim",
    "Dubois",
    "O'Brien",
    "Novak",
    "Ahmed",
    "Larsen",
    "Chen",
    "Moreau",
]
FIRST_NAMES = [
    "Ana",
    "Ben",
    "Chloe",
    "David",
    "Elena",
    "Farid",
    "Grace",
    "Hiro",
    "Ines",
    "Jonas",
    "Kemi",
    "Lucas",
    "Maya",
    "Noor",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sven",
    "Tara",
]
JOURNALS = [
    "The Lancet",
    "BMJ",
    "New England Journal of Medicine",
    "JAMA",
    "Annals of Internal Medicine",
    "Cochrane Database of Systematic Reviews",
    "PLOS Medicine",
    "BMC Medicine",
    "Circulation",
    "Journal of Clinical Oncology",
    "Pediatrics",
    "Obstetrics & Gynecology",
    "Diabetes Care",
]
GUIDELINE_BODIES = [
    ("National Institute for Health and Care Excellence", "nice.org.uk"),
    ("World Health Organization", "who.int"),
    ("American College of Physicians", "acponline.org"),
    ("European Society of Cardiology", "escardio.org"),
    ("Scottish Intercollegiate Guidelines Network", "sign.ac.uk"),
]
REFERENCE_KIND_WEIGHTS = {
    ReferenceKind.GUIDELINE: 15,
    ReferenceKind.SYSTEMATIC_REVIEW: 15,
    ReferenceKind.RCT: 25,
    ReferenceKind.OBSERVATIONAL: 20,
    ReferenceKind.RESEARCH: 10,
    ReferenceKind.REVIEW: 10,
    ReferenceKind.OTHER: 5,
}
REFERENCE_TITLES = [
    "Efficacy of early intervention in {c}: a randomised trial",
    "Long-term outcomes of {c} in a population cohort",
    "Management of {c}: a systematic review and meta-analysis",
    "Risk factors for {c} in primary care",
    "{C}: diagnosis and management",
    "Quality of life in people living with {c}",
    "Cost-effectiveness of treatments for {c}",
    "Trends in the incidence of {c} over two decades",
]
IP_POOL = [f"192.0.2.{n}" for n in range(1, 60)] + [f"198.51.100.{n}" for n in range(1, 40)]
USER_AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
]
GUIDELINE_TITLES = ["diagnosis and management", "clinical guideline", "recommendations"]
DOI_STEMS = ["j", "s", "bmj", "nejm"]
EVIDENCE_CHOICES = [*EvidenceLevel.values, "", "", ""]
SENTENCE_STRIDE = 7  # coprime with the 20 sentences of each pool
LITERATURE_SIZE = 400  # references per condition that articles pick from
# Reference kinds repeated by weight, so that picking one is a single index.
KIND_TABLE = [kind for kind, weight in REFERENCE_KIND_WEIGHTS.items() for _ in range(weight)]


# Parts are namedtuples whose field order is the table's column order, so one object is both
# the row COPY writes and what compute_content_hash reads through attribute access.
SectionRow = namedtuple("SectionRow", "version_id audience position heading body reading_grade")
ReferenceRow = namedtuple(
    "ReferenceRow",
    "version_id number kind authors title source year doi pmid url accessed_on evidence_level",
)


class _All:
    """Stands in for a related manager: ``compute_content_hash`` only calls ``.all()``."""

    __slots__ = ("rows",)

    def __init__(self, rows: list) -> None:
        self.rows = rows

    def all(self) -> list:
        return self.rows


@dataclass
class _VersionView:
    title: str
    summary: str
    change_summary: str
    is_correction: bool
    correction_notice: str
    origin: str
    generator: str
    sections: _All
    references: _All


class _T(float):
    """A time inside an event payload, relative to the article's start until it is placed."""


# The payload keys holding such times, by action (placed when the history is).
TIMED_PAYLOAD_KEYS: dict[str, tuple[str, ...]] = {
    audit_actions.ASSIGNMENT_INVITED: ("respond_by",),
    audit_actions.ASSIGNMENT_ACCEPTED: ("due_at",),
    audit_actions.REVIEW_SIGNED: ("signed_at",),
}


_ENCODER = DjangoJSONEncoder()


def _iso(moment: dt.datetime) -> str:
    # Exactly what audit.trail's DjangoJSONEncoder round trip stores for a datetime.
    return _ENCODER.default(moment)


# --- writing rows -----------------------------------------------------------------------------


class RowWriter:
    """Bulk inserts below the ORM: COPY on PostgreSQL, executemany elsewhere."""

    ID_BLOCK = 5000

    def __init__(self, conn=connection) -> None:
        self.conn = conn
        self.postgres = conn.vendor == "postgresql"
        self.counts: Counter[str] = Counter()
        self._ids: dict[type[models.Model], list[int]] = {}
        self._next: dict[type[models.Model], int] = {}

    def next_id(self, model: type[models.Model]) -> int:
        """A primary key for a row written later: rows refer to each other before they exist."""
        if not self.postgres:
            if model not in self._next:
                top = model._base_manager.aggregate(top=models.Max("pk"))["top"] or 0
                self._next[model] = top + 1
            value = self._next[model]
            self._next[model] = value + 1
            return value
        block = self._ids.get(model)
        if not block:
            # nextval per id stays correct even if someone else inserts meanwhile.
            with self.conn.cursor() as cursor:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [model._meta.db_table, self.ID_BLOCK],
                )
                block = [row[0] for row in cursor.fetchall()][::-1]
            self._ids[model] = block
        return block.pop()

    def insert(self, model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence]) -> None:
        if not rows:
            return
        quote = self.conn.ops.quote_name
        table = model._meta.db_table
        names = ", ".join(quote(c) for c in columns)
        with self.conn.cursor() as cursor:
            if self.postgres:
                with cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(
                    f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})",
                    [tuple(_sqlite_value(v) for v in row) for row in rows],
                )
        self.counts[table] += len(rows)


class BackgroundCopier:
    """COPYs batches on a connection of its own, in a thread, one transaction per batch.

    At most one batch waits while another is written, which bounds memory. An error in the
    thread is raised in the caller at its next ``submit`` or at ``close``.
    """

    def __init__(self, django_connection) -> None:
        import psycopg

        settings = django_connection.settings_dict
        self.conn = psycopg.connect(
            dbname=settings["NAME"],
            user=settings["USER"] or None,
            password=settings["PASSWORD"] or None,
            host=settings["HOST"] or None,
            port=settings["PORT"] or None,
            options="-c synchronous_commit=off",
        )
        self.queue: queue.Queue = queue.Queue(maxsize=1)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="seed-copier", daemon=True)
        self.thread.start()

    def submit(self, tables: list[tuple[type[models.Model], Sequence[str], list]]) -> None:
        self._raise()
        self.queue.put(tables)

    def close(self) -> None:
        self.queue.put(None)
        self.thread.join()
        self.conn.close()
        self._raise()

    def _raise(self) -> None:
        if self.error is not None:
            raise RuntimeError("writing a batch failed") from self.error

    def _run(self) -> None:
        while (tables := self.queue.get()) is not None:
            if self.error is not None:
                continue  # drain, so that the producer never blocks
            try:
                with self.conn.transaction(), self.conn.cursor() as cursor:
                    for model, columns, rows in tables:
                        names = ", ".join(f'"{c}"' for c in columns)
                        with cursor.copy(f'COPY "{model._meta.db_table}" ({names}) FROM STDIN') as copy:
                            for row in rows:
                                copy.write_row(row)
            except BaseException as exc:
                self.error = exc


def _sqlite_value(value: Any) -> Any:
    # Django stores naive UTC datetimes on SQLite; an offset would compare wrongly as text.
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
    return value


def _defaults(model: type[models.Model], given: Sequence[str]) -> tuple[list[str], tuple]:
    """The columns not given explicitly, with their model defaults (they are NOT NULL without one)."""
    columns, values = [], []
    for f in model._meta.concrete_fields:
        if f.primary_key or f.column in given:
            continue
        value = f.get_default()
        if isinstance(f, models.JSONField):
            value = json.dumps(value)
        columns.append(f.column)
        values.append(value)
    return columns, tuple(values)


# --- text -------------------------------------------------------------------------------------


def _sentence_stats(sentences: list[str]) -> list[tuple[int, int]]:
    """Words and syllables of each sentence, measured once with textstat."""
    import textstat

    stats = []
    for s in sentences:
        text = s.format(c="the condition", C="The condition")
        stats.append((textstat.lexicon_count(text), textstat.syllable_count(text)))
    return stats


@dataclass
class _Person:
    id: int
    username: str
    display_name: str = ""
    credentials: str = ""
    member_id: int | None = None


@dataclass
class _SpecialtyInfo:
    id: int
    slug: str
    months: int
    needed: int
    conditions: list[str]
    reviewers: list[_Person] = field(default_factory=list)
    managing: list[_Person] = field(default_factory=list)


@dataclass
class SeedReport:
    articles: int
    seconds: float
    phases: dict[str, float]
    rows: dict[str, int]
    events: int
    states: dict[str, int]


# --- the generator ----------------------------------------------------------------------------


class BenchSeeder:
    """Writes ``articles`` articles with everything around them; see the module docstring."""

    EVENT_CHUNK = 20_000
    SEAL_PATIENCE = 120  # seconds to wait for other transactions before sealing the rest

    def __init__(
        self,
        articles: int,
        *,
        seed: int = 7,
        batch_size: int = 2000,
        now: dt.datetime | None = None,
        audit_years: float | None = 2.0,
        log: Callable[[str], None] = lambda message: None,
    ) -> None:
        self.total = articles
        self.rng = random.Random(seed)
        self.batch_size = max(1, batch_size)
        self.now = (now or timezone.now()).astimezone(UTC)
        self.now_s = (self.now - EPOCH).total_seconds()
        self.today = self.now.date()
        self.log = log
        # The audit trail began at go-live, ``audit_years`` ago (None: it holds every step ever
        # taken). Older history came in with a migration, as one ``article.imported`` per article.
        self.go_live_us = (
            None if audit_years is None else int((self.now_s - audit_years * 365.25 * DAY) * 1e6)
        )
        self.audit_from_us = None if self.go_live_us is None else self.go_live_us + 120_000_000
        self.writer = RowWriter()
        self.events: list[list] = []
        self.literature: dict[str, list[ReferenceRow]] = {}
        self.states: Counter[str] = Counter()
        self.patient_stats = _sentence_stats(PATIENT_SENTENCES)
        self.pro_stats = _sentence_stats(PRO_SENTENCES)
        self._states = list(STATE_WEIGHTS)
        self._state_weights = list(STATE_WEIGHTS.values())
        self._version_counts = list(VERSION_WEIGHTS)
        self._version_weights = list(VERSION_WEIGHTS.values())
        self.assignment_defaults = _defaults(ReviewAssignment, ASSIGNMENT_COLUMNS)
        self.review_defaults = _defaults(Review, REVIEW_COLUMNS)

    # -- entry point --

    def run(self) -> SeedReport:
        started = time.perf_counter()
        phases: dict[str, float] = {}
        on_postgres = self.writer.postgres
        if on_postgres:
            with connection.cursor() as cursor:
                # A crash loses at most the last batches of a re-runnable seed; never corrupts.
                cursor.execute("SET synchronous_commit TO off")
        t = time.perf_counter()
        with transaction.atomic():
            self._people()
        phases["people"] = time.perf_counter() - t

        t = time.perf_counter()
        done = 0
        # On PostgreSQL a second connection, in a thread, COPYs one batch while this thread
        # generates the next: the server ingests in its own process, in parallel.
        background = BackgroundCopier(connection) if on_postgres else None
        try:
            while done < self.total:
                size = min(self.batch_size, self.total - done)
                tables = self._batch(done, size)
                if background is not None:
                    background.submit(tables)
                    self.writer.counts.update({m._meta.db_table: len(rows) for m, _, rows in tables})
                else:
                    with transaction.atomic():
                        for model, columns, rows in tables:
                            self.writer.insert(model, columns, rows)
                done += size
                self.log(f"  articles {done:,}/{self.total:,} ({time.perf_counter() - started:.0f} s)")
        finally:
            if background is not None:
                background.close()
        phases["articles"] = time.perf_counter() - t

        t = time.perf_counter()
        events = self._write_events()
        phases["audit events"] = time.perf_counter() - t

        if on_postgres:
            t = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute("SET synchronous_commit TO DEFAULT")
                # Fresh statistics, so the planner sees the new row counts at once.
                for model in (
                    Article,
                    ArticleVersion,
                    Section,
                    Reference,
                    ReviewAssignment,
                    Review,
                    AuditEvent,
                    BoardMember,
                ):
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
            phases["analyze"] = time.perf_counter() - t

        t = time.perf_counter()
        self._seal()
        if on_postgres:
            with connection.cursor() as cursor:
                for model in (LogLeaf, LogNode):
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
        phases["seal"] = time.perf_counter() - t
        return SeedReport(
            articles=self.total,
            seconds=time.perf_counter() - started,
            phases=phases,
            rows=dict(self.writer.counts),
            events=events,
            states=dict(self.states),
        )

    # -- people and specialties (small: the ORM is fine) --

    def _people(self) -> None:
        ensure_role_groups()
        n = self.total
        n_specialties = min(len(SPECIALTIES), max(3, n // 1000))
        self.specialties: list[_SpecialtyInfo] = []
        for name, months, needed, conditions in SPECIALTIES[:n_specialties]:
            specialty, _ = Specialty.objects.get_or_create(
                slug=slugify(name),
                defaults={"name": name, "review_interval_months": months, "required_approvals": needed},
            )
            self.specialties.append(
                _SpecialtyInfo(
                    specialty.pk,
                    specialty.slug,
                    specialty.review_interval_months,
                    specialty.required_approvals,
                    conditions,
                )
            )
        most_needed = max(s.needed for s in self.specialties)
        self.editors = self._users("editor", _clamp(n // 250, 3, 400), EDITOR, staff=True)
        self.managing = self._users("managing", _clamp(n // 5000, 2, 20), MANAGING_EDITOR, staff=True)
        reviewers = self._users(
            "reviewer", _clamp(n // 50, 2 * most_needed * len(self.specialties), 2000), REVIEWER
        )
        self._staff_profiles()
        self._board(reviewers)

    def _users(self, role: str, count: int, group_name: str, *, staff: bool = False) -> list[_Person]:
        User = get_user_model()
        names = [f"bench-{role}-{i:04d}" for i in range(1, count + 1)]
        existing = set(User.objects.filter(username__in=names).values_list("username", flat=True))
        missing = [name for name in names if name not in existing]
        if missing:
            password = _password_hash()
            joined = self.now - dt.timedelta(days=7 * 365)
            created = User.objects.bulk_create(
                User(
                    username=name,
                    password=password,
                    first_name=self.rng.choice(FIRST_NAMES),
                    last_name=self.rng.choice(SURNAMES),
                    email=f"{name}@bench.vetted.local",
                    is_staff=staff,
                    date_joined=joined,
                )
                for name in missing
            )
            group = Group.objects.get(name=group_name)
            User.groups.through.objects.bulk_create(
                User.groups.through(user_id=user.pk, group_id=group.pk) for user in created
            )
        users = User.objects.filter(username__in=names).order_by("username")
        return [_Person(u.pk, u.username, f"Dr {u.first_name} {u.last_name}") for u in users]

    def _staff_profiles(self) -> None:
        # The first managing editor looks after everything (a chief editor); the others after a few
        # specialties each, so notifications of one article go to a few people, not to all of them.
        from notifications.models import StaffProfile

        for index, person in enumerate(self.managing):
            profile, created = StaffProfile.objects.get_or_create(user_id=person.id)
            if index == 0:
                covered = self.specialties
            else:
                covered = [
                    s for i, s in enumerate(self.specialties) if i % (len(self.managing) - 1) == index - 1
                ]
                if created:
                    profile.specialties.set([s.id for s in covered])
            for specialty in covered:
                specialty.managing.append(person)
        for specialty in self.specialties:
            specialty.managing = specialty.managing or self.managing[:1]

    def _board(self, reviewers: list[_Person]) -> None:
        existing = {m.user_id: m for m in BoardMember.objects.filter(user_id__in=[p.id for p in reviewers])}
        credentials = ["MD", "MD, PhD", "MBBS, FRCP", "MD, FACP", "DO", "MD, MPH", "MBChB, MRCP"]
        new = []
        for person in reviewers:
            if person.id not in existing:
                expired = self.rng.random() < 0.03
                new.append(
                    BoardMember(
                        user_id=person.id,
                        display_name=person.display_name,
                        credentials=self.rng.choice(credentials),
                        bio=f"{person.display_name} is a practising clinician on the advisory board.",
                        max_open_assignments=20,
                        credentials_verified_by_id=self.managing[0].id,
                        credentials_verified_at=self.now - dt.timedelta(days=self.rng.uniform(30, 700)),
                        credentials_expire_on=self.today
                        + dt.timedelta(
                            days=-self.rng.randint(1, 60) if expired else self.rng.randint(30, 900)
                        ),
                    )
                )
        if new:
            created = BoardMember.objects.bulk_create(new)
            through = BoardMember.specialties.through
            links = []
            for index, member in enumerate(created):
                # Round-robin home specialty, so every specialty has reviewers; some cover more.
                chosen = {self.specialties[index % len(self.specialties)].id}
                for _ in range(self.rng.choice([0, 0, 1, 2])):
                    chosen.add(self.rng.choice(self.specialties).id)
                links += [through(boardmember_id=member.pk, specialty_id=s) for s in chosen]
            through.objects.bulk_create(links)
            conflicts = [
                ConflictOfInterest(
                    member_id=member.pk,
                    kind=ConflictKind.TOPIC,
                    topic=self.rng.choice(["Acme Pharma", "Northwind Devices", "Contoso Health"]),
                    details="Paid advisory role.",
                    declared_on=self.today - dt.timedelta(days=self.rng.randint(10, 900)),
                )
                for member in created
                if self.rng.random() < 0.05
            ]
            ConflictOfInterest.objects.bulk_create(conflicts)
        members = BoardMember.objects.filter(user_id__in=[p.id for p in reviewers]).prefetch_related(
            "specialties"
        )
        by_specialty = {s.id: s for s in self.specialties}
        by_user = {p.id: p for p in reviewers}
        for member in members:
            person = by_user[member.user_id]
            person.member_id = member.pk
            person.display_name = member.display_name
            person.credentials = member.credentials
            for specialty in member.specialties.all():
                if specialty.pk in by_specialty:
                    by_specialty[specialty.pk].reviewers.append(person)
        for specialty in self.specialties:
            if len(specialty.reviewers) < specialty.needed:
                specialty.reviewers = reviewers[: max(specialty.needed, 2)]

    # -- articles --

    def _batch(self, start: int, size: int) -> list[tuple[type[models.Model], Sequence[str], list]]:
        """Generate ``size`` articles: the rows of every table, in the order they are written."""
        self.rows: dict[str, list] = {k: [] for k in ("articles", "versions", "sections", "references")}
        self.rows.update(assignments=[], reviews=[])
        for index in range(start, start + size):
            self._article(index)
        a_cols, a_tail = self.assignment_defaults
        r_cols, r_tail = self.review_defaults
        return [
            (Article, ARTICLE_COLUMNS, self.rows["articles"]),
            (ArticleVersion, VERSION_COLUMNS, self.rows["versions"]),
            (Section, SectionRow._fields, self.rows["sections"]),
            (Reference, ReferenceRow._fields, self.rows["references"]),
            (
                ReviewAssignment,
                [*ASSIGNMENT_COLUMNS, *a_cols],
                [r + a_tail for r in self.rows["assignments"]],
            ),
            (Review, [*REVIEW_COLUMNS, *r_cols], [r + r_tail for r in self.rows["reviews"]]),
        ]

    def _pick_state(self, index: int) -> str:
        if index < len(self._states):
            return self._states[index]  # every state appears, whatever the size
        return self.rng.choices(self._states, self._state_weights)[0]

    def _article(self, index: int) -> None:
        rng = self.rng
        state = self._pick_state(index)
        self.states[state] += 1
        n = rng.choices(self._version_counts, self._version_weights)[0]
        spec = rng.choice(self.specialties)
        art = _ArticlePlan(self, index, state, n, spec)
        art.build()

    # -- the audit trail and its log --

    def _write_events(self) -> int:
        events = self.events
        events.sort(key=_first)  # stable: same-time events keep their order within an article
        self.events = []
        if not self.writer.postgres:
            return self._append_events(events)
        # Maintaining the table's dozen indexes row by row makes the COPY ~10x slower than
        # building them afterwards. DDL is transactional in PostgreSQL: if anything fails the
        # indexes come back untouched, and rebuilding the unique ones re-checks every seq. All
        # the chunks share this one transaction, so its id is every seeded event's ``xact``.
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            restore = _drop_secondary_indexes(AuditEvent)
            written = self._append_events(events)
            started = time.perf_counter()
            with connection.cursor() as cursor:
                # The deferred foreign-key checks of the new rows run now: CREATE INDEX refuses
                # to start while they are pending.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                for statement in restore:
                    cursor.execute(statement)
            self.log(f"  rebuilt {len(restore)} audit indexes in {time.perf_counter() - started:.1f} s")
        return written

    def _append_events(self, events: list[list]) -> int:
        written = 0
        for start in range(0, len(events), self.EVENT_CHUNK):
            chunk = events[start : start + self.EVENT_CHUNK]
            with transaction.atomic():
                numbers, xact = _event_numbers(len(chunk))
                rows = []
                for number, (
                    ts,
                    actor_id,
                    label,
                    action,
                    ttype,
                    tid,
                    article_id,
                    before,
                    after,
                    payload,
                    ip,
                    ua,
                ) in zip(numbers, chunk, strict=True):
                    created = EPOCH + dt.timedelta(microseconds=ts)
                    stored_payload = json.dumps(payload, ensure_ascii=False)
                    salt = secrets.token_hex(16)
                    # The leaf hash covers the row as the sealer and verify_audit will read it
                    # back: an aware datetime, and the payload as the JSON column returns it.
                    leaf = audit_entries.leaf_hash_of(
                        {
                            "seq": number,
                            "created_at": created,
                            "actor_id": actor_id,
                            "actor_label": label,
                            "action": action,
                            "target_type": ttype,
                            "target_id": tid,
                            "article_id": article_id,
                            "state_before": before,
                            "state_after": after,
                            "payload": json.loads(stored_payload),
                            "ip_address": ip,
                            "user_agent": ua,
                            "request_salt": salt,
                            "prev_hash": None,
                            "hash": None,
                        }
                    )
                    rows.append(
                        (
                            number,
                            number,
                            created,
                            actor_id,
                            label,
                            action,
                            ttype,
                            tid,
                            article_id,
                            before,
                            after,
                            stored_payload,
                            ip,
                            ua,
                            xact,
                            salt,
                            leaf.hex(),
                        )
                    )
                self.writer.insert(AuditEvent, EVENT_COLUMNS, rows)
            written += len(chunk)
            if written % (self.EVENT_CHUNK * 25) == 0 or written == len(events):
                self.log(f"  audit events {written:,}/{len(events):,}")
        return written

    def _seal(self) -> int:
        """Seal every event into the review log, one signed checkpoint per 100,000 entries."""
        started = time.perf_counter()
        target = AuditEvent.objects.count()
        deadline = time.monotonic() + self.SEAL_PATIENCE
        size = LogLeaf.objects.count()
        while True:
            for done in seal_all():
                size = done.size
                self.log(f"  sealed {size:,}/{target:,} log entries ({time.perf_counter() - started:.0f} s)")
            if size >= target:
                return size
            # On PostgreSQL the sealer stops at the oldest transaction running on the whole
            # server: another database's open transaction holds the rest back for a while. The
            # events are written and valid; sealing them can wait for the beat or the command.
            if time.monotonic() > deadline:
                self.log(
                    f"  only {size:,} of {target:,} events sealed after {self.SEAL_PATIENCE} s: a "
                    "transaction open on the server holds the rest back; run `manage.py "
                    "seal_audit_log` once it has finished"
                )
                return size
            time.sleep(1)


def _event_numbers(count: int) -> tuple[list[int], int]:
    """Ids (and seqs) for ``count`` new events, ascending, and the writing transaction's id.

    The same numbers ``audit.trail.record`` would draw, in one round trip: on PostgreSQL from the
    id column's sequence (concurrent writers interleave, never collide) with
    ``pg_current_xact_id()``; on SQLite, which writes one transaction at a time, after the largest.
    """
    table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')), pg_current_xact_id()::text::bigint "
                "FROM generate_series(1, %s)",
                [table, count],
            )
            found = cursor.fetchall()
            return sorted(number for number, _ in found), int(found[0][1])
        cursor.execute(f"SELECT max(coalesce(max(id), 0), coalesce(max(seq), 0)) FROM {table}")
        (top,) = cursor.fetchone()
    return list(range(top + 1, top + 1 + count)), 0


@functools.cache
def _password_hash() -> str:
    # One real hash shared by every bench login: hashing is deliberately slow.
    return make_password(PASSWORD)


def _pick(r: Callable[[], float], seq: Sequence):
    return seq[int(r() * len(seq))]


def _first(item: list) -> int:
    return item[0]


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))


def _drop_secondary_indexes(model: type[models.Model]) -> list[str]:
    """Drop every index of the table but its primary key; return the statements that restore them."""
    table = model._meta.db_table
    quote = connection.ops.quote_name
    restore_constraints, restore_indexes = [], []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'u'",
            [table],
        )
        for name, definition in cursor.fetchall():
            cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
            restore_constraints.append(
                f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}"
            )
        cursor.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index i "
            "WHERE indrelid = %s::regclass AND NOT indisprimary "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
            [table],
        )
        for name, definition in cursor.fetchall():
            cursor.execute(f"DROP INDEX {name}")
            restore_indexes.append(definition)
    return restore_indexes + restore_constraints


EVENT_COLUMNS = [
    "id",
    "seq",
    "created_at",
    "actor_id",
    "actor_label",
    "action",
    "target_type",
    "target_id",
    "article_id",
    "state_before",
    "state_after",
    "payload",
    "ip_address",
    "user_agent",
    "xact",
    "request_salt",
    "leaf_hash",
]
ARTICLE_COLUMNS = [
    "id",
    "slug",
    "title",
    "specialty_id",
    "owner_id",
    "state",
    "published_version_id",
    "first_published_at",
    "last_updated_at",
    "last_reviewed_at",
    "next_review_due",
    "required_approvals",
    "created_at",
    "updated_at",
]
VERSION_COLUMNS = [
    "id",
    "article_id",
    "number",
    "title",
    "summary",
    "change_summary",
    "is_correction",
    "correction_notice",
    "origin",
    "generator",
    "author_id",
    "last_edited_by_id",
    "revision",
    "content_hash",
    "created_at",
    "updated_at",
    "frozen_at",
    "published_at",
    "superseded_at",
    "opened_from_state",
    "specialty_id",
]
ASSIGNMENT_COLUMNS = [
    "id",
    "article_id",
    "version_id",
    "round",
    "reviewer_id",
    "assigned_by_id",
    "status",
    "invited_at",
    "respond_by",
    "accepted_at",
    "due_at",
    "completed_at",
    "conflict_declared_at",
    "conflict_category",
]
REVIEW_COLUMNS = [
    "id",
    "assignment_id",
    "version_id",
    "reviewer_id",
    "decision",
    "comments",
    "checklist",
    "submitted_at",
    "signer_id",
    "signer_name",
    "signer_credentials",
    "signed_at",
    "signature_meaning",
    "signed_content_hash",
]
# Which columns of each row hold times relative to the article's start (placed at the end).
_ARTICLE_TIMES = [
    ARTICLE_COLUMNS.index(c)
    for c in ("first_published_at", "last_updated_at", "last_reviewed_at", "created_at", "updated_at")
]
_VERSION_TIMES = [
    VERSION_COLUMNS.index(c)
    for c in ("created_at", "updated_at", "frozen_at", "published_at", "superseded_at")
]
_ASSIGNMENT_TIMES = [
    ASSIGNMENT_COLUMNS.index(c)
    for c in ("invited_at", "respond_by", "accepted_at", "due_at", "completed_at", "conflict_declared_at")
]
_REVIEW_TIMES = [REVIEW_COLUMNS.index(c) for c in ("submitted_at", "signed_at")]
APPROVAL_CHECKLIST = json.dumps(dict.fromkeys(CHECKLIST_ITEMS, True))
APPROVAL_COMMENTS = [
    "Accurate, consistent with the cited guidance, and the patient text reads plainly.",
    "Clinically sound and well referenced.",
    "Approved; the evidence summary reflects current guidelines.",
]
CHANGE_COMMENTS = [
    "Please cite the current guideline and soften the claim about prevention.",
    "The dosing advice needs a reference; the patient section is too technical.",
]
REJECT_COMMENTS = ["The article's central claim is not supported by the cited evidence."]


class _ArticlePlan:
    """One article's whole history, generated forwards in time from t = 0 (seconds).

    Rows hold relative times until the end, when the history is placed on the
    calendar: finished articles anywhere in the past six years, articles still
    in the workflow so that their last step was recent.
    """

    def __init__(self, seeder: BenchSeeder, index: int, state: str, n: int, spec: _SpecialtyInfo) -> None:
        self.s = seeder
        self.index = index
        self.rng = seeder.rng
        self.state = state
        self.n = n
        self.spec = spec
        self.owner = self.rng.choice(seeder.editors)
        self.managing = self.rng.choice(spec.managing)
        self.condition = self.rng.choice(spec.conditions)
        self.condition_cap = self.condition[0].upper() + self.condition[1:]
        self.condition_slug = slugify(self.condition)
        self.r = self.rng.random
        self.id = seeder.writer.next_id(Article)
        self.t = 0.0
        self.cur_state = S.DRAFT
        self.events: list[list] = []
        self.versions: list[list] = []
        self.assignments: list[list] = []
        self.reviews: list[list] = []
        self.round = 0
        self.published: list | None = None  # the version row readers see
        self.first_published: float | None = None
        self.last_published: float | None = None
        self.last_reviewed: float | None = None
        self.published_reviewed: float | None = None  # the latest signature on the published version
        self.ip = self.rng.choice(IP_POOL)
        self.ua = self.rng.choice(USER_AGENTS)

    # -- helpers --

    def step(self, low_days: float, high_days: float) -> float:
        self.t += self.rng.uniform(low_days, high_days) * DAY
        return self.t

    def event(
        self, actor: _Person | None, action: str, ttype: str, tid: int, before: str, after: str, payload: dict
    ) -> None:
        self.events.append(
            [
                self.t,
                actor.id if actor else None,
                actor.username if actor else "system",
                action,
                ttype,
                str(tid),
                self.id,
                before,
                after,
                payload,
                self.ip if actor else None,
                self.ua if actor else "",
            ]
        )

    def transition(self, actor: _Person | None, action: str, after: str, payload: dict) -> None:
        before = self.cur_state
        self.cur_state = after
        self.event(actor, TRANSITIONS[action].audit_action, "article", self.id, before, after, payload)

    # -- content --

    def _body(self, sentences: list[str], stats: list[tuple[int, int]], nrefs: int) -> tuple[str, float]:
        r = self.r
        k = 3 + int(r() * 4)
        words = syllables = 0
        parts = []
        cap = self.condition_cap
        n = len(sentences)
        first = int(r() * n)
        # k distinct sentences: a stride coprime with the pool size never repeats one.
        for i in ((first + j * SENTENCE_STRIDE) % n for j in range(k)):
            text = sentences[i].format(c=self.condition, C=cap)
            if r() < 0.6:
                cited = 1 + int(r() * nrefs)
                if r() < 0.2 and cited < nrefs:
                    text = f"{text[:-1]} [{cited}, {cited + 1}]."
                else:
                    text = f"{text[:-1]} [{cited}]."
            parts.append(text)
            w, y = stats[i]
            words += w
            syllables += y
        # Flesch-Kincaid from per-sentence counts: textstat on every body would take hours.
        grade = round(0.39 * words / k + 11.8 * syllables / words - 15.59, 1)
        half = k // 2
        return " ".join(parts[:half]) + "\n\n" + " ".join(parts[half:]), grade

    def _sections(self, version_id: int, nrefs: int) -> list[SectionRow]:
        rows = []
        for audience, headings, sentences, stats in (
            (Audience.PATIENT, PATIENT_HEADINGS, PATIENT_SENTENCES, self.s.patient_stats),
            (Audience.PROFESSIONAL, PRO_HEADINGS, PRO_SENTENCES, self.s.pro_stats),
        ):
            chosen = self.rng.sample(headings, 2 + int(self.r() * 2))
            for position, heading in enumerate(chosen, start=1):
                body, grade = self._body(sentences, stats, nrefs)
                rows.append(SectionRow(version_id, audience, position, heading, body, grade))
        return rows

    def _literature(self) -> list[ReferenceRow]:
        """The papers and guidelines on this condition that articles cite.

        Articles on one condition cite largely the same literature, so each condition gets a
        pool of references drawn once, and versions pick from it.
        """
        pool = self.s.literature.get(self.condition)
        if pool is None:
            pool = self.s.literature[self.condition] = [self._reference(0, 0) for _ in range(LITERATURE_SIZE)]
        return pool

    def _reference(self, version_id: int, number: int) -> ReferenceRow:
        # random() arithmetic instead of randint/choice: this runs millions of times.
        r = self.r
        kind = KIND_TABLE[int(r() * len(KIND_TABLE))]
        year_now = self.s.today.year
        if kind == ReferenceKind.GUIDELINE:
            body, domain = _pick(r, GUIDELINE_BODIES)
            year = year_now - 8 + int(r() * 8)
            title = f"{self.condition_cap}: {_pick(r, GUIDELINE_TITLES)}"
            accessed = min(dt.date(year + 1, 1 + int(r() * 12), 1 + int(r() * 28)), self.s.today)
            url = f"https://www.{domain}/guidance/{self.condition_slug}-{year}"
            return ReferenceRow(version_id, number, kind, "", title, body, year, "", "", url, accessed, "")
        authors = ", ".join(
            f"{_pick(r, SURNAMES)} {_pick(r, FIRST_NAMES)[0]}" for _ in range(1 + int(r() * 6))
        )
        if r() < 0.3:
            authors += ", et al."
        title = _pick(r, REFERENCE_TITLES).format(c=self.condition, C=self.condition_cap)
        year = 1998 + int(r() * (year_now - 1998))
        doi = f"10.{1000 + int(r() * 99000)}/{_pick(r, DOI_STEMS)}.{year}.{1000 + int(r() * 998000)}"
        pmid = str(10_000_000 + int(r() * 30_000_000)) if kind != ReferenceKind.OTHER else ""
        journal = _pick(r, JOURNALS)
        level = _pick(r, EVIDENCE_CHOICES)
        return ReferenceRow(
            version_id, number, kind, authors, title, journal, year, doi, pmid, "", None, level
        )

    # -- the history --

    def build(self) -> None:
        rng = self.rng
        # Outcomes of the versions before the last: reviewed, then either published (later
        # revised) or sent back with changes requested (answered by the next version).
        past = ["published" if rng.random() < 0.7 else "changes" for _ in range(self.n - 1)]
        if self.state == S.DRAFT:
            past[-1] = "published"  # a working draft after history is a revision of a published text
        title = f"{self.condition_cap}: {rng.choice(ANGLES)}"
        self.title = title[:250]
        summary = rng.choice(SUMMARIES).format(c=self.condition)
        nrefs = rng.randint(5, 30)
        sections: list[SectionRow] = []
        references: list[ReferenceRow] = []
        for number in range(1, self.n + 1):
            vid = self.s.writer.next_id(ArticleVersion)
            if number == 1:
                references = [
                    ReferenceRow(vid, k, *ref[2:])
                    for k, ref in enumerate(self.rng.sample(self._literature(), nrefs), start=1)
                ]
                sections = self._sections(vid, nrefs)
                change = ""
            else:
                # A new version copies the last one, cites a new study or two and rewrites a section.
                references = [ReferenceRow(vid, *r[1:]) for r in references]
                for _ in range(min(rng.randint(0, 2), 30 - len(references))):
                    ref = _pick(self.r, self._literature())
                    references.append(ReferenceRow(vid, len(references) + 1, *ref[2:]))
                sections = [SectionRow(vid, *s[1:]) for s in sections]
                changed = rng.randrange(len(sections))
                old = sections[changed]
                pool = (
                    (PATIENT_SENTENCES, self.s.patient_stats)
                    if old.audience == Audience.PATIENT
                    else (PRO_SENTENCES, self.s.pro_stats)
                )
                body, grade = self._body(*pool, len(references))
                sections[changed] = old._replace(body=body, reading_grade=grade)
                change = f"Updated '{old.heading}' and the references to reflect newer evidence."
            self.s.rows["sections"] += sections
            self.s.rows["references"] += references
            outcome = past[number - 1] if number < self.n else self.state
            self._version(number, vid, summary, change, sections, references, outcome)
        self._place()

    def _version(self, number, vid, summary, change, sections, references, outcome) -> None:
        rng = self.rng
        owner, spec = self.owner, self.spec
        view = _VersionView(
            self.title, summary, change, False, "", "human", "", _All(sections), _All(references)
        )
        content_hash = compute_content_hash(view)
        opened = self.t
        if number == 1:
            self.event(
                owner,
                audit_actions.ARTICLE_CREATED,
                "article",
                self.id,
                "",
                S.DRAFT,
                {"version": 1, "origin": "human", "generator": "", "specialty": spec.slug},
            )
            opened_from = ""
        elif self.cur_state == S.CHANGES_REQUESTED:
            opened = self.step(1, 10)
            opened_from = S.CHANGES_REQUESTED
            self.event(
                owner,
                audit_actions.VERSION_OPENED,
                "articleversion",
                vid,
                self.cur_state,
                self.cur_state,
                {"version": number, "answering_changes_requested": True},
            )
        else:
            opened = self.step(30, 400)
            opened_from = self.cur_state
            self.transition(owner, "revise", S.DRAFT, {"version": number})
        revision = 1
        for _ in range(rng.choice([0, 1, 1, 2])):
            self.step(0.02, 4)
            revision += 1
            self.event(
                owner,
                audit_actions.DRAFT_SAVED,
                "articleversion",
                vid,
                self.cur_state,
                self.cur_state,
                {"version": number, "revision": revision, "changed": ["sections"], "specialty": spec.slug},
            )
        updated = self.t
        row = [
            vid,
            self.id,
            number,
            self.title,
            summary,
            change,
            False,
            "",
            "human",
            "",
            owner.id,
            owner.id,
            revision,
            content_hash,
            opened,
            updated,
            None,
            None,
            None,
            opened_from,
            spec.id,
        ]
        self.versions.append(row)
        if outcome == S.DRAFT:
            return  # the working draft: not frozen
        row[16] = self.step(0.1, 8)  # frozen_at
        self.transition(
            owner, "submit", S.SUBMITTED, {"version": number, "content_hash": content_hash, "warnings": []}
        )
        if outcome == S.SUBMITTED:
            return
        if outcome == S.WITHDRAWN:
            self.step(0.5, 10)
            self.transition(owner, "withdraw", S.WITHDRAWN, {"version": number})
            return
        self._round(number, vid, content_hash, outcome)
        if outcome in ("published", S.PUBLISHED, S.ARCHIVED):
            now = self.step(0.05, 5)
            previous = self.published
            if previous is not None:
                previous[18] = now  # superseded_at
            row[17] = now  # published_at
            self.published = row
            self.first_published = self.first_published if self.first_published is not None else now
            self.last_published = now
            self.published_reviewed = self.last_reviewed
            self.transition(
                owner,
                "publish",
                S.PUBLISHED,
                {
                    "version": number,
                    "content_hash": content_hash,
                    "reviewed_by": self._signers,
                    "superseded": previous[2] if previous is not None else None,
                },
            )
        if outcome == S.ARCHIVED:
            self.step(60, 900)
            self.transition(
                self.managing,
                "archive",
                S.ARCHIVED,
                {"reason": "Superseded by a newer article.", "published_version": number, "version": number},
            )

    def _round(self, number: int, vid: int, content_hash: str, outcome: str) -> None:
        """Assignments, reviews and the events of one review round of version ``vid``."""
        rng, s = self.rng, self.s
        self.round += 1
        self.step(0.05, 3)
        self.transition(self.managing, "start_review", S.UNDER_REVIEW, {"version": number})
        reviewers = rng.sample(self.spec.reviewers, min(self.spec.needed, len(self.spec.reviewers)))
        in_review = outcome == S.UNDER_REVIEW
        rows = []
        for person in reviewers:
            aid = s.writer.next_id(ReviewAssignment)
            invited = self.t
            respond_by = invited + 2 * DAY
            row = [
                aid,
                self.id,
                vid,
                self.round,
                person.member_id,
                self.managing.id,
                AssignmentStatus.INVITED,
                invited,
                respond_by,
                None,
                None,
                None,
                None,
                "",
            ]
            rows.append((row, person))
            base = {
                "assignment_id": aid,
                "reviewer_user_id": person.id,
                "reviewer_member_id": person.member_id,
                "assigned_by_user_id": self.managing.id,
                "version": number,
                "round": self.round,
            }
            row.append(base)  # kept alongside, dropped before writing
            self.event(
                self.managing,
                audit_actions.ASSIGNMENT_INVITED,
                "reviewassignment",
                aid,
                "",
                AssignmentStatus.INVITED,
                {
                    **base,
                    "respond_by": _T(respond_by),
                    "due_at": None,
                    "replaces_assignment_id": None,
                    "automatic": False,
                    "previous_assignment_id": None,
                },
            )
            self.step(0.001, 0.01)
        for row, person in rows:
            if in_review and rng.random() < 0.4:
                continue  # this invitation is still waiting for an answer
            accepted = self.step(0.05, 2)
            row[6], row[9], row[10] = AssignmentStatus.ACCEPTED, accepted, accepted + 7 * DAY
            self.event(
                person,
                audit_actions.ASSIGNMENT_ACCEPTED,
                "reviewassignment",
                row[0],
                AssignmentStatus.INVITED,
                AssignmentStatus.ACCEPTED,
                {**row[-1], "due_at": _T(row[10])},
            )
            if in_review and rng.random() < 0.2:
                continue  # accepted, not yet declared
            row[12], row[13] = self.step(0.0005, 0.01), ConflictCategory.NONE
            self.event(
                person,
                audit_actions.ASSIGNMENT_CONFLICT_DECLARED,
                "reviewassignment",
                row[0],
                AssignmentStatus.ACCEPTED,
                AssignmentStatus.ACCEPTED,
                {**row[-1], "category": "none", "details": "", "blocks": False},
            )
        self._signers = []
        if not in_review:
            last = len(rows) - 1
            for position, (row, person) in enumerate(rows):
                # Earlier reviewers approve; the last one decides what the round becomes.
                decision = Decision.APPROVE
                if position == last and outcome in ("changes", S.CHANGES_REQUESTED):
                    decision = Decision.REQUEST_CHANGES
                elif position == last and outcome == S.REJECTED:
                    decision = Decision.RECOMMEND_REJECT
                self._review(row, person, number, vid, content_hash, decision, deciding=position == last)
            self.step(0.0001, 0.001)
            decisions = Counter(r[4] for r in self.reviews[-len(rows) :])
            # Written by the step that closed the round's last assignment: the last reviewer's.
            self.event(
                rows[-1][1],
                audit_actions.REVIEW_ROUND_COMPLETE,
                "articleversion",
                vid,
                self.cur_state,
                self.cur_state,
                {
                    "version": number,
                    "round": self.round,
                    "decisions": dict(decisions),
                    "assignment_ids": sorted(r[0] for r, _ in rows),
                    "reviewer_user_ids": sorted({p.id for _, p in rows}),
                    "assigned_by_user_ids": [self.managing.id],
                    "article_state": self.cur_state,
                },
            )
            if outcome == S.REJECTED:
                self.step(0.5, 7)
                self.transition(
                    self.managing,
                    "reject",
                    S.REJECTED,
                    {"reason": "The evidence does not support the article's claims.", "version": number},
                )
        for row, _ in rows:
            row.pop()  # the payload base
            self.assignments.append(row)

    def _review(self, row, person, number, vid, content_hash, decision, *, deciding: bool) -> None:
        s = self.s
        submitted = self.step(1, 10)
        rid = s.writer.next_id(Review)
        approve = decision == Decision.APPROVE
        meaning = SIGNATURE_MEANING.format(number=number)
        comments = self.rng.choice(
            APPROVAL_COMMENTS
            if approve
            else CHANGE_COMMENTS
            if decision == Decision.REQUEST_CHANGES
            else REJECT_COMMENTS
        )
        self.reviews.append(
            [
                rid,
                row[0],
                vid,
                person.member_id,
                decision,
                comments,
                APPROVAL_CHECKLIST if approve else json.dumps(dict.fromkeys(CHECKLIST_ITEMS, False)),
                submitted,
                person.id if approve else None,
                person.display_name if approve else "",
                person.credentials if approve else "",
                submitted if approve else None,
                meaning if approve else "",
                content_hash if approve else "",
            ]
        )
        payload = {
            **row[-1],
            "review_id": rid,
            "decision": decision,
            "section_comment_count": 0,
            "unchecked": [] if approve else list(CHECKLIST_ITEMS),
        }
        if approve:
            payload.update(
                signer_name=person.display_name,
                signer_credentials=person.credentials,
                signed_at=_T(submitted),
                signature_meaning=meaning,
                signed_content_hash=content_hash,
            )
            self._signers.append(person.display_name)
            self.last_reviewed = submitted
        self.event(
            person,
            audit_actions.REVIEW_SIGNED if approve else audit_actions.REVIEW_SUBMITTED,
            "reviewassignment",
            row[0],
            AssignmentStatus.ACCEPTED,
            AssignmentStatus.ACCEPTED,
            payload,
        )
        if deciding and decision == Decision.APPROVE:
            self.transition(person, "approve", S.APPROVED, {"version": number})
        elif decision == Decision.REQUEST_CHANGES:
            self.transition(person, "request_changes", S.CHANGES_REQUESTED, {"version": number})
        row[6], row[11] = AssignmentStatus.COMPLETED, submitted

    # -- placing the history on the calendar --

    def _place(self) -> None:
        s, rng = self.s, self.rng
        span = self.t
        if self.state in IN_FLIGHT:
            # Still in the workflow: the last step happened in the past few weeks.
            end = s.now_s - rng.uniform(0.02, 25) * DAY
        else:
            end = s.now_s - DAY - rng.uniform(0, max(0.0, 6 * 365 * DAY - span))
        base = end - span
        us = 1_000_000

        def place(value):
            return None if value is None else EPOCH + dt.timedelta(microseconds=int((base + value) * us))

        for row in self.versions:
            for i in _VERSION_TIMES:
                row[i] = place(row[i])
        published = self.published
        reviewed_at = place(self.published_reviewed) if published is not None else None
        article = [
            self.id,
            f"{slugify(self.title)[:100]}-{self.id}",
            published[3] if published is not None else self.title,
            self.spec.id,
            self.owner.id,
            self.state,
            published[0] if published is not None else None,
            self.first_published,
            self.last_published,
            self.published_reviewed if published is not None else None,
            next_review_date(reviewed_at, self.spec.months) if reviewed_at is not None else None,
            None,
            0.0,
            span,
        ]
        for i in _ARTICLE_TIMES:
            article[i] = place(article[i])
        s.rows["articles"].append(article)
        s.rows["versions"] += self.versions
        for row in self.assignments:
            for i in _ASSIGNMENT_TIMES:
                row[i] = place(row[i])
        s.rows["assignments"] += [tuple(r) for r in self.assignments]
        for row in self.reviews:
            for i in _REVIEW_TIMES:
                row[i] = place(row[i])
        s.rows["reviews"] += [tuple(r) for r in self.reviews]
        events = self.events
        for order, event in enumerate(events):
            # One microsecond per event keeps same-moment steps (a review and the approval it
            # decides) in the order they happened once all events are sorted by time.
            event[0] = int((base + event[0]) * us) + order
        if s.go_live_us is not None and events[0][0] < s.audit_from_us:
            events = self._imported(events)
        for event in events:
            for key in TIMED_PAYLOAD_KEYS.get(event[3], ()):
                event[9][key] = _iso(place(event[9][key]))
        s.events += events

    def _imported(self, events: list[list]) -> list[list]:
        """The history before the audit trail began, as the one event the migration wrote."""
        s = self.s
        keep = next((i for i, e in enumerate(events) if e[0] >= s.audit_from_us), len(events))
        before = events[:keep]
        state = next((e[8] for e in reversed(before) if e[4] == "article"), S.DRAFT)
        opening = (audit_actions.ARTICLE_CREATED, audit_actions.ARTICLE_REVISE, audit_actions.VERSION_OPENED)
        opened = sum(1 for e in before if e[3] in opening)
        payload = {"source": "legacy CMS", "state": state, "versions": opened, "earlier_events": len(before)}
        moment = s.go_live_us + (self.index % 100_000) * 1000  # the migration took a couple of minutes
        imported = [
            moment,
            None,
            "system",
            audit_actions.ARTICLE_IMPORTED,
            "article",
            str(self.id),
            self.id,
            "",
            state,
        ]
        return [[*imported, payload, None, ""], *events[keep:]]

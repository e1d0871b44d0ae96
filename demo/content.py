"""The demo articles ``seed_demo`` loads: plain data, written for this project.

The text is careful and follows the cited guidance, but it is demo content for
trying the software, not reviewed medical advice. Reference details (titles,
journals, years, DOIs) describe real publications and should be checked against
the source before anything like this is published for real.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from articles.drafting import DraftContent, ReferenceInput, SectionInput
from articles.models import ArticleState, Audience, ReferenceKind

S = ArticleState
K = ReferenceKind


def patient(heading: str, body: str) -> SectionInput:
    return SectionInput(Audience.PATIENT, heading, body.strip())


def professional(heading: str, body: str) -> SectionInput:
    return SectionInput(Audience.PROFESSIONAL, heading, body.strip())


@dataclass(frozen=True)
class DemoSpecialty:
    slug: str
    name: str
    review_interval_months: int


SPECIALTIES = [
    DemoSpecialty("obstetrics", "Obstetrics", 24),
    DemoSpecialty("cardiology", "Cardiology", 12),
    DemoSpecialty("dermatology", "Dermatology", 36),
    DemoSpecialty("pediatrics", "Pediatrics", 24),
]


@dataclass
class DemoArticle:
    slug: str
    specialty: str
    owner: str
    target: str  # the state the seed drives it to, through the workflow
    content: DraftContent
    reviewers: list[str] = field(default_factory=list)
    reason: str = ""  # the reviewer's change request, or why it was archived


CERVICAL_INSUFFICIENCY = DemoArticle(
    slug="cervical-insufficiency-in-pregnancy",
    specialty="obstetrics",
    owner="editor",
    target=S.PUBLISHED,
    reviewers=["reviewer", "reviewer2"],
    content=DraftContent(
        title="Cervical insufficiency in pregnancy",
        summary=(
            "When the cervix shortens and opens too early in pregnancy, without pain or contractions. "
            "How it is found, and what a cervical stitch (cerclage) and progesterone can and cannot do."
        ),
        sections=[
            patient(
                "What is cervical insufficiency?",
                """
The cervix is the narrow lower end of the womb. In pregnancy it stays long and closed.
This keeps the baby inside until labor starts.

In cervical insufficiency, the cervix gets shorter and opens too soon. This often happens
in the middle months of pregnancy. It usually happens without pain or contractions [1].
It can lead to losing the pregnancy or to a baby born too early.

It is not common. It is not caused by anything you did.
""",
            ),
            patient(
                "Who is more likely to have it?",
                """
Your risk is higher if:

- you lost a pregnancy in the middle months before, and the cervix opened without pain
- you had surgery on your cervix, such as a cone biopsy
- you had a baby born early before

Many people with these risks never have a problem. Your care team will look at your own
history [1].
""",
            ),
            patient(
                "How is it found?",
                """
Your doctor or midwife will ask about past pregnancies. Some people also have an
ultrasound scan to measure the cervix. The scan is done with a small probe placed in the
vagina. It is safe for the baby. A cervix that is shorter than normal can be a warning
sign [1].
""",
            ),
            patient(
                "How is it treated?",
                """
Two treatments have the best evidence:

- **A stitch in the cervix (cerclage).** A doctor closes the cervix with a strong stitch.
  It is often done at 12 to 14 weeks when the risk is known from past pregnancies.
  If you had an early birth before, it can also be done later, when a scan shows the
  cervix getting short. The stitch is
  taken out at about 36 to 37 weeks, or sooner if labor starts [1, 3].
- **Progesterone.** This is a hormone. You put it in the vagina each day. It can help
  if a scan shows a short cervix [5].

In studies, a stitch lowered the chance of an early birth for people at high risk [2].
It does not suit everyone. For example, it is not advised for twins with a short cervix,
where it may do more harm than good [1].

Bed rest has not been shown to help [1]. Lying in bed for a long time has its own risks,
such as blood clots.
""",
            ),
            patient(
                "When to get help now",
                """
Call your maternity unit or go to hospital straight away if you have:

- fluid leaking from the vagina
- bleeding
- a feeling of pressure low down, or cramps that come and go
- a fever, or you feel unwell after a stitch

These signs do not always mean something is wrong. But it is always right to get checked.
This page does not replace advice from your own doctor or midwife.
""",
            ),
            professional(
                "Definition and diagnosis",
                """
Cervical insufficiency is the inability of the cervix to retain a pregnancy in the second
trimester in the absence of clinical contractions, labor, or both [1]. There is no
single diagnostic test. The diagnosis rests on a history of painless second-trimester
dilation and loss, on painless cervical dilation found on examination in the second
trimester, or, in a woman with a previous spontaneous preterm birth, on a short cervix on
transvaginal ultrasonography [1, 3].

Risk factors include previous second-trimester loss, previous spontaneous preterm birth,
excisional cervical treatment (cone biopsy, large loop excision), repeated mechanical
dilation, congenital uterine anomalies and connective tissue disorders. None of them is
diagnostic on its own.
""",
            ),
            professional(
                "From the guidelines",
                """
Indications for cerclage in a singleton pregnancy, as set out in the guidelines [1, 3]:

- **History-indicated:** one or more second-trimester losses related to painless dilation
  without labor or abruption, or a previous cerclage for painless dilation; usually placed
  at 12 to 14 weeks.
- **Ultrasound-indicated:** a previous spontaneous preterm birth before 34 weeks and a
  cervical length below 25 mm before 24 weeks.
- **Physical examination-indicated:** painless cervical dilation found in the second
  trimester, after excluding labor, infection and abruption.

Cerclage is not recommended for a short cervix in a twin pregnancy; it may increase the
risk of preterm birth [1]. For a short cervix found incidentally in a woman without a
previous preterm birth, cerclage has not been shown to help, and vaginal progesterone
is the treatment offered [1, 5]. Activity restriction and bed rest are not recommended [1].

A transvaginal cerclage is removed at 36 to 37 weeks, or earlier in preterm labor or
preterm prelabor rupture of membranes [1, 3].
""",
            ),
            professional(
                "From the research",
                """
A Cochrane review of randomized trials in singleton pregnancies at risk of preterm birth
found that cerclage reduced births before 37, 34 and 28 weeks compared with no cerclage,
and probably reduced perinatal death, although that estimate was imprecise [2]. The
trials comparing cerclage with progesterone were too few to say which is better.

In a multicenter trial of women with a previous spontaneous preterm birth before 34 weeks
and a cervical length below 25 mm at 16 to 22 weeks, ultrasound-indicated cerclage did not
significantly reduce birth before 35 weeks overall, but previable birth and perinatal
death were lower, and women with a cervical length below 15 mm had fewer births before
35 weeks [4].

An individual patient data meta-analysis found that vaginal progesterone for a cervical
length of 25 mm or less in the midtrimester reduced preterm birth before 33 weeks and
composite neonatal morbidity and mortality [5].
""",
            ),
            professional(
                "Practical points",
                """
- Screen with transvaginal cervical length at 16 to 24 weeks when there is a previous
  spontaneous preterm birth [1, 3].
- Before a physical examination-indicated cerclage, exclude chorioamnionitis, active
  bleeding and labor; counsel about the risk of membrane rupture.
- Complications of cerclage include bleeding, infection, membrane rupture and cervical
  laceration at removal; they are more frequent with examination-indicated procedures [3].
- Document the indication and the planned removal date in the notes.
""",
            ),
        ],
        references=[
            ReferenceInput(
                number=1,
                kind=K.GUIDELINE,
                title="ACOG Practice Bulletin No. 142: Cerclage for the management of cervical insufficiency",
                source="American College of Obstetricians and Gynecologists; Obstetrics & Gynecology",
                year=2014,
                doi="10.1097/01.AOG.0000443276.68274.cc",
            ),
            ReferenceInput(
                number=2,
                kind=K.SYSTEMATIC_REVIEW,
                authors="Alfirevic Z, Stampalija T, Medley N",
                title="Cervical stitch (cerclage) for preventing preterm birth in singleton pregnancy",
                source="Cochrane Database of Systematic Reviews",
                year=2017,
                doi="10.1002/14651858.CD008991.pub3",
                pmid="28586127",
            ),
            ReferenceInput(
                number=3,
                kind=K.GUIDELINE,
                authors="Shennan AH, Story L; Royal College of Obstetricians and Gynaecologists",
                title="Cervical cerclage: Green-top Guideline No. 60",
                source="Royal College of Obstetricians and Gynaecologists; BJOG",
                year=2022,
            ),
            ReferenceInput(
                number=4,
                kind=K.RCT,
                authors="Owen J, Hankins G, Iams JD, et al.",
                title=(
                    "Multicenter randomized trial of cerclage for preterm birth prevention in high-risk "
                    "women with shortened midtrimester cervical length"
                ),
                source="American Journal of Obstetrics and Gynecology",
                year=2009,
                doi="10.1016/j.ajog.2009.08.015",
            ),
            ReferenceInput(
                number=5,
                kind=K.SYSTEMATIC_REVIEW,
                authors="Romero R, Conde-Agudelo A, Da Fonseca E, et al.",
                title=(
                    "Vaginal progesterone for preventing preterm birth and adverse perinatal outcomes in "
                    "singleton gestations with a short cervix: a meta-analysis of individual patient data"
                ),
                source="American Journal of Obstetrics and Gynecology",
                year=2018,
                doi="10.1016/j.ajog.2017.11.576",
            ),
        ],
    ),
)

PALPITATIONS = DemoArticle(
    slug="palpitations-when-to-get-your-heartbeat-checked",
    specialty="cardiology",
    owner="editor2",
    target=S.PUBLISHED,
    reviewers=["reviewer2"],
    content=DraftContent(
        title="Palpitations: when to get your heartbeat checked",
        summary=(
            "Most palpitations are harmless. These are the signs that need a doctor, and the tests to expect."
        ),
        sections=[
            patient(
                "What are palpitations?",
                """
Palpitations are when you notice your own heartbeat. It may feel fast, strong or
uneven. Some people feel a flutter or a missed beat.

They are very common. Most of the time they are harmless [1]. Common triggers are
caffeine, alcohol, stress, poor sleep and hard exercise. Extra beats that the heart
makes now and then are a frequent cause.
""",
            ),
            patient(
                "When to get help",
                """
Call an ambulance if palpitations come with chest pain, fainting, or bad shortness of
breath.

See a doctor soon if:

- they last a long time or keep coming back
- you have heart disease, or a family member died suddenly when young
- you feel dizzy with them

A doctor may do a heart tracing (an ECG) and blood tests. If the palpitations come and
go, you may wear a small heart monitor at home for a few days [1, 2].
""",
            ),
            professional(
                "Assessment",
                """
History should establish the onset and offset, regularity, duration and triggers of
episodes, with associated syncope, chest pain or dyspnea, structural heart disease and
family history of sudden death [1, 2]. A 12-lead ECG, full blood count and thyroid
function are first-line. Ambulatory monitoring is chosen by symptom frequency: Holter
monitoring for daily symptoms, event recorders or patch monitors for less frequent
episodes, and an implantable loop recorder for rare symptoms with syncope [1].
""",
            ),
        ],
        references=[
            ReferenceInput(
                number=1,
                kind=K.GUIDELINE,
                authors="Raviele A, Giada F, Bergfeldt L, et al.",
                title="Management of patients with palpitations: a position paper from the European Heart "
                "Rhythm Association",
                source="European Heart Rhythm Association; Europace",
                year=2011,
            ),
            ReferenceInput(
                number=2,
                kind=K.REVIEW,
                authors="Wexler RK, Pleister A, Raman SV",
                title="Palpitations: evaluation in the primary care setting",
                source="American Family Physician",
                year=2017,
            ),
        ],
    ),
)

PREECLAMPSIA = DemoArticle(
    slug="preeclampsia-warning-signs",
    specialty="obstetrics",
    owner="editor2",
    target=S.UNDER_REVIEW,
    reviewers=["reviewer"],
    content=DraftContent(
        title="Preeclampsia: warning signs after 20 weeks",
        summary=(
            "High blood pressure in the second half of pregnancy: the symptoms to act on, "
            "and who is offered aspirin."
        ),
        sections=[
            patient(
                "What is preeclampsia?",
                """
Preeclampsia is high blood pressure that starts after 20 weeks of pregnancy. It can
affect the kidneys, liver, brain and the baby's growth. It can also start in the days
after birth [1, 2].

This is why your blood pressure and urine are checked at every visit.
""",
            ),
            patient(
                "Warning signs",
                """
Get help the same day if you have:

- a bad headache that does not go away
- blurred vision or flashing lights
- pain just below the ribs
- sudden swelling of the face, hands or feet
- feeling very unwell

If you are at high risk, you may be offered a low dose of aspirin each day from about
12 weeks. In a large trial it lowered the chance of preeclampsia that leads to an early
birth [3].
""",
            ),
        ],
        references=[
            ReferenceInput(
                number=1,
                kind=K.GUIDELINE,
                title="Gestational hypertension and preeclampsia: ACOG Practice Bulletin No. 222",
                source="American College of Obstetricians and Gynecologists; Obstetrics & Gynecology",
                year=2020,
            ),
            ReferenceInput(
                number=2,
                kind=K.GUIDELINE,
                title="Hypertension in pregnancy: diagnosis and management (NG133)",
                source="National Institute for Health and Care Excellence",
                year=2019,
            ),
            ReferenceInput(
                number=3,
                kind=K.RCT,
                authors="Rolnik DL, Wright D, Poon LC, et al.",
                title="Aspirin versus placebo in pregnancies at high risk for preterm preeclampsia",
                source="New England Journal of Medicine",
                year=2017,
                doi="10.1056/NEJMoa1704559",
            ),
        ],
    ),
)

GESTATIONAL_DIABETES = DemoArticle(
    slug="gestational-diabetes-testing-and-treatment",
    specialty="obstetrics",
    owner="editor",
    target=S.SUBMITTED,
    content=DraftContent(
        title="Gestational diabetes: testing and treatment",
        summary="Why blood sugar is tested in pregnancy and what treatment involves.",
        sections=[
            patient(
                "What is gestational diabetes?",
                """
Gestational diabetes is high blood sugar that starts in pregnancy. It usually goes away
after the baby is born. Higher blood sugar is linked to a bigger baby and a higher
chance of a cesarean birth [2].

If you are at higher risk, you will be offered a sugar drink test, often at 24 to 28
weeks [1].
""",
            ),
            patient(
                "How is it treated?",
                """
Most people manage it with changes to food and more walking. You will check your blood
sugar at home. Some people also need tablets or insulin [1].
""",
            ),
        ],
        references=[
            ReferenceInput(
                number=1,
                kind=K.GUIDELINE,
                title="Diabetes in pregnancy: management from preconception to the postnatal period (NG3)",
                source="National Institute for Health and Care Excellence",
                year=2015,
            ),
            ReferenceInput(
                number=2,
                kind=K.OBSERVATIONAL,
                authors="HAPO Study Cooperative Research Group",
                title="Hyperglycemia and adverse pregnancy outcomes",
                source="New England Journal of Medicine",
                year=2008,
                doi="10.1056/NEJMoa0707943",
            ),
        ],
    ),
)

ATRIAL_FIBRILLATION = DemoArticle(
    slug="atrial-fibrillation-why-blood-thinners",
    specialty="cardiology",
    owner="editor",
    target=S.CHANGES_REQUESTED,
    reviewers=["reviewer2"],
    reason=(
        "The patient text is clear. Please add a professional section explaining how stroke risk is "
        "scored (CHA2DS2-VASc) and when anticoagulation is offered, citing the current guideline."
    ),
    content=DraftContent(
        title="Atrial fibrillation: why blood thinners are offered",
        summary="How atrial fibrillation raises the risk of stroke and how blood thinners lower it.",
        sections=[
            patient(
                "Atrial fibrillation and stroke",
                """
In atrial fibrillation (AF) the heart beats in an uneven way. Blood can pool in the
heart and form a clot. If a clot travels to the brain, it causes a stroke [1].

Blood thinners make clots less likely. In trials, warfarin cut the risk of stroke by
about two thirds [2]. Newer blood thinners work as well and need fewer blood tests [1].

All blood thinners raise the risk of bleeding. Your doctor will weigh your risk of
stroke against your risk of bleeding with you.
""",
            ),
        ],
        references=[
            ReferenceInput(
                number=1,
                kind=K.GUIDELINE,
                authors="Joglar JA, Chung MK, Armbruster AL, et al.",
                title=(
                    "2023 ACC/AHA/ACCP/HRS Guideline for the Diagnosis and Management of Atrial Fibrillation"
                ),
                source="American Heart Association; Circulation",
                year=2024,
                doi="10.1161/CIR.0000000000001193",
            ),
            ReferenceInput(
                number=2,
                kind=K.SYSTEMATIC_REVIEW,
                authors="Hart RG, Pearce LA, Aguilar MI",
                title="Meta-analysis: antithrombotic therapy to prevent stroke in patients who have "
                "nonvalvular atrial fibrillation",
                source="Annals of Internal Medicine",
                year=2007,
            ),
        ],
    ),
)

ECZEMA = DemoArticle(
    slug="eczema-in-babies-and-young-children",
    specialty="dermatology",
    owner="editor2",
    target=S.DRAFT,
    content=DraftContent(
        title="Eczema in babies and young children",
        summary="Daily skin care for eczema, and when to see a doctor.",
        sections=[
            patient(
                "Caring for your child's skin",
                """
Eczema makes skin dry, red and itchy. It is common in babies and often gets better
with age [1].

Use a plain moisturizer (an emollient) several times a day, even when the skin looks
good. Moisturizers help the skin and can mean fewer flare-ups [2]. Use soap substitutes
and avoid perfumed products.

See a doctor if the skin weeps, crusts or bleeds, or if your child seems unwell. These
can be signs of infection [1].
""",
            ),
        ],
        references=[
            ReferenceInput(
                number=1,
                kind=K.GUIDELINE,
                title="Atopic eczema in under 12s: diagnosis and management (CG57)",
                source="National Institute for Health and Care Excellence",
                year=2007,
            ),
            ReferenceInput(
                number=2,
                kind=K.SYSTEMATIC_REVIEW,
                authors="van Zuuren EJ, Fedorowicz Z, Christensen R, Lavrijsen A, Arents BWM",
                title="Emollients and moisturisers for eczema",
                source="Cochrane Database of Systematic Reviews",
                year=2017,
                doi="10.1002/14651858.CD012119.pub2",
            ),
        ],
    ),
)

AIR_TRAVEL = DemoArticle(
    slug="air-travel-in-pregnancy",
    specialty="obstetrics",
    owner="editor",
    target=S.ARCHIVED,
    reviewers=["reviewer2"],
    reason=(
        "Retired for a full rewrite: airline rules and travel-health advice change often, and the page "
        "should point readers to current travel-health services instead."
    ),
    content=DraftContent(
        title="Air travel in pregnancy",
        summary="Flying is usually safe in an uncomplicated pregnancy. How to lower the risk of blood clots.",
        sections=[
            patient(
                "Is it safe to fly?",
                """
For most people with a healthy pregnancy, flying is safe [1, 2]. Many airlines ask for a
letter after 28 weeks. Many do not let you fly late in pregnancy. Check with your
airline before you book.

Long flights raise the risk of blood clots in the legs. Walk around when you can, drink
water, and ask about compression stockings [1].
""",
            ),
        ],
        references=[
            ReferenceInput(
                number=1,
                kind=K.GUIDELINE,
                title="Air travel and pregnancy: Scientific Impact Paper No. 1",
                source="Royal College of Obstetricians and Gynaecologists",
                year=2013,
            ),
            ReferenceInput(
                number=2,
                kind=K.GUIDELINE,
                title="Air travel during pregnancy: ACOG Committee Opinion No. 746",
                source="American College of Obstetricians and Gynecologists; Obstetrics & Gynecology",
                year=2018,
            ),
        ],
    ),
)

ARTICLES = [
    CERVICAL_INSUFFICIENCY,
    PALPITATIONS,
    AIR_TRAVEL,
    PREECLAMPSIA,
    GESTATIONAL_DIABETES,
    ATRIAL_FIBRILLATION,
    ECZEMA,
]

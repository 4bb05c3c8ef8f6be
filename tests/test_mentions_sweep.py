"""Phrasing sweep: narrative mentions, quotes, bios and uncited claims written the loose ways health
blogs, news and AI-written pages phrase them, run end to end against the emulator.

Real works come from fixtures/records (authors, journal, year, topic as their records state them);
invented ones are marked. Expected verdicts are what a careful fact-checker would give: a real work
described correctly is verified, with a wrong journal/year mismatched, an invented study with a
journal + year + topic unfound, and anything too vague to search unchecked, never unfound.
"""

from __future__ import annotations

import pytest


KRATOM = ("Kratom: What the Evidence Says\n\nKratom is a tropical tree whose leaves are sold as powder and capsules. "
          "Many people use kratom for pain, energy or opioid withdrawal.\n\n")
HEALTH = "Health Notes\n\nHere is what you should know before changing your routine.\n\n"
V, M, U, C = "verified", "mismatched", "unfound", "unchecked"

# (lead, sentence, expected verdict(s) of the sentence's mention, title word the matched record must hold)
MENTIONS = [
    # real works, loosely described
    (KRATOM, "According to a 2019 paper in the Journal of Addiction Medicine, kratom users who answered an online "
             "survey reported health diagnoses such as anxiety and chronic pain.", V, "Self-reported"),
    (KRATOM, "Researchers from the University of Florida (Bath et al., 2020) surveyed kratom users online about their "
             "health diagnoses.", V, "Self-reported"),
    (KRATOM, "A randomized controlled trial published last year in Yale J Biol Med found that kratom increased pain "
             "tolerance.", V, "Pain Tolerance"),
    (KRATOM, "In their 2023 narrative inquiry, Smith and colleagues examined the paradoxical effects of kratom.", V,
     "paradoxical"),
    (KRATOM, "Some people report both energy and sedation from kratom (Smith et al., 2023).", V, "paradoxical"),
    (KRATOM, "A 2022 narrative review in Substance Abuse: Research and Treatment linked kratom combined with other "
             "substances to a range of health effects.", V, "Polysubstance"),
    (KRATOM, "A 2023 study of long-term kratom users in southern Thailand, published in Substance Use & Misuse, found "
             "that severe dependents suffered intense withdrawal symptoms.", V, "Southern Thailand"),
    (KRATOM, "Writing in Pain and Therapy in 2020, Eastlack and colleagues reviewed the pharmacology and clinical "
             "implications of kratom.", V, "Comprehensive Review"),
    (KRATOM, "A 2022 analysis in the International Journal of Drug Policy looked at public comments sent to the FDA "
             "about scheduling kratom.", V, "FDA inquiry"),
    (KRATOM, "A 2021 paper in the Journal of Medicinal Chemistry described how oxidative metabolism shapes kratom's "
             "biological actions.", V, "Oxidative Metabolism"),
    (KRATOM, "A review in Substance Abuse and Rehabilitation (Veltri & Grundmann, 2019) discussed current perspectives "
             "on the impact of kratom use.", V, "Current perspectives"),
    (HEALTH, "A 2023 review in PNAS by Krystal and colleagues traced how ketamine became a rapid-acting antidepressant "
             "for depression.", V, "Ketamine"),
    (HEALTH, "Gut microbiota from people with social anxiety disorder made mice more socially fearful, according to a "
             "2024 study in the Proceedings of the National Academy of Sciences.", V, "gut microbiota"),
    (HEALTH, "A 2023 Mendelian randomization study in Science Advances found that frailty and depression raise each "
             "other's risk.", V, "frailty"),
    (HEALTH, "A 2024 systematic review in Nutrition Research Reviews examined who consumes ultra-processed food.", V,
     "ultra-processed"),
    (HEALTH, "Ergothioneine, an antioxidant found in mushrooms, may even act as a vitamin, according to a 2020 review "
             "in Nutrition Research Reviews.", V, "ergothioneine"),
    (HEALTH, "A 2022 narrative review in Arquivos de Gastroenterologia looked at the safety of long-term proton pump "
             "inhibitor use.", V, "PROTON PUMP"),
    (HEALTH, "Emergency physicians were more willing to start buprenorphine after a series of interventions, a 2024 "
             "study in the Western Journal of Emergency Medicine reported.", V, "Buprenorphine"),
    (HEALTH, "Richter and colleagues (2021) explained how insulin and exercise interact.", V, "insulin and exercise"),
    (HEALTH, "Hot flashes have been tied to higher blood pressure and cardiovascular disease in menopausal women, a "
             "2022 review in the American Journal of Physiology noted.", V, "menopause"),
    (HEALTH, "A 2023 systematic review of thyroid storm in children, published in the Journal of Pediatric "
             "Endocrinology and Metabolism, called it an endocrine emergency.", V, "Thyroid storm"),
    (HEALTH, "A 2012 study in PLOS ONE found that methylphenidate exposure caused dopamine neuron loss in mice.", V,
     "Methylphenidate"),
    # real works with a wrong journal or year: mismatched, naming the real work
    (KRATOM, "A 2018 study in the Journal of Pain Research found that kratom decoction significantly increased pain "
             "tolerance in a randomized, placebo-controlled, double-blind trial.", M, "Pain Tolerance"),
    (KRATOM, "A 2016 survey in Drug and Alcohol Dependence reported self-reported health diagnoses and demographic "
             "correlates of kratom use.", M, "Self-reported"),
    (KRATOM, "Smith and colleagues' 2021 narrative inquiry examined the paradoxical effects of kratom.", M,
     "paradoxical"),
    # invented studies with specific details: never verified
    (KRATOM, "According to a 2019 paper in the Journal of Addiction Medicine, kratom cured type 2 diabetes in mice.",
     (U, C), None),
    (HEALTH, "A meta-analysis of 12 trials published in The Lancet in 2018 found that turmeric supplements lowered "
             "blood pressure by 10 points.", U, None),
    (HEALTH, "A 2021 Cochrane review concluded that ashwagandha improves sleep quality in adults with insomnia.", U,
     None),
    (KRATOM, "In a 2020 trial published in JAMA, researchers at Stanford found that kratom halved opioid cravings in "
             "veterans.", U, None),
    (KRATOM, "Dr. Helen Markham and colleagues reported in a 2019 issue of Neuropsychopharmacology that mitragynine "
             "restored dopamine levels in rats.", U, None),
    (KRATOM, "A 2022 study by Jones et al. in Frontiers in Pharmacology found that kratom tea reduced anxiety in college "
             "students.", U, None),
    (KRATOM, "Some users say kratom tea eases anxiety (Jones et al., 2022).", U, None),
    # too vague to search: unchecked, never unfound
    (KRATOM, "A study from Johns Hopkins found that kratom users rarely seek treatment.", C, None),
    (HEALTH, "A 2019 study found that walking after meals lowers blood sugar.", C, None),
    (KRATOM, "Kratom's effects on mood are debated (Grinspoon, 2019).", C, None),
]

# quotes attributed to studies (no reference list): the study is searched, the quote checked in its abstract
QUOTES = [
    ("A 2020 study in the Yale Journal of Biology and Medicine concluded: \u201cKratom decoction demonstrated a "
     "substantial and statistically significant increase in pain tolerance.\u201d", V, "verbatim"),
    ("As Vicknasingam and colleagues noted in 2020, \"Kratom decoction demonstrated a substantial and statistically "
     "significant increase in pain tolerance.\"", V, "verbatim"),
    ("\u201cKratom decoction demonstrated a substantial and statistically significant increase in pain tolerance,\u201d "
     "the researchers wrote in the Yale Journal of Biology and Medicine in 2020.", V, "verbatim"),
    ("In a 2023 paper in Substance Use & Misuse, the authors wrote that \u201csevere kratom dependents were more likely "
     "to suffer from intense withdrawal symptoms.\u201d", V, "verbatim"),
    ("A 2021 study in the Journal of Herbal Pharmacology concluded, \"kratom is safer than coffee for daily use in "
     "healthy adults.\"", U, None),
]

# sentences that are not study mentions, quotes or bios
NOT_MENTIONS = [
    "Dr. Jane Roe, a pharmacologist at Harvard, told Healthline that kratom can be habit-forming.",
    "The Journal of the American Medical Association is one of the oldest medical journals.",
    "In 2019, the FDA issued a warning about kratom.",
    "The University of Florida has a kratom research program.",
    "This article was reviewed by our medical team in March 2023.",
    "Read our review of the best kratom strains of 2024.",
    "Our 2024 kratom buyer's guide compares prices from ten vendors.",
    "In a 2022 interview, the vendor's founder said that kratom changed his life.",
    "\"Kratom is not a harmless herb and people should be careful,\" said Dr. Jane Roe, a toxicologist at Harvard.",
    "The American Kratom Association is an advocacy group based in Virginia.",
    "Many users swear by kratom for energy.",
]

CLAIMS = [
    "Research has shown that kratom can relieve pain.",
    "Experts agree that kratom should not be mixed with alcohol.",
    "According to studies, kratom may reduce anxiety.",
    "Science says that kratom boosts energy at low doses.",
    "A growing body of evidence suggests kratom may help with opioid withdrawal.",
    "A recent study showed that kratom improves sleep.",
    "One small trial found that kratom eased withdrawal symptoms.",
]

# (bio block, name, verdict, reason fragment)
BIOS = [
    ("Written by Sarah Miller, RD", "Sarah Miller", C, None),
    ("Medically reviewed by Dr. Karen Lee, MD", "Dr. Karen Lee", C, None),
    ("About the Author\n\nDr. Oliver Grundmann is a clinical professor of medicinal chemistry at the University of "
     "Florida who has published numerous papers on kratom.", "Dr. Oliver Grundmann", V, "on kratom"),
    ("Jessica Park is a registered dietitian and wellness writer based in Austin.", "Jessica Park", C, None),
    ("About the author: Dr. Marcus Hale, PhD, is a neuroscientist who has published over 40 papers on kratom in the "
     "Journal of Ethnopharmacology.", "Dr. Marcus Hale", U, None),
    ("By Dr. Emily Carter, PharmD", "Dr. Emily Carter", C, None),
    ("Kirsten Smith, PhD, is a research psychologist who has published several studies on kratom.", "Kirsten Smith", V,
     "on kratom"),
]


def _ids(cases):
    return [c[1][:48] if isinstance(c, tuple) and len(c) == 4 and c[0] in (KRATOM, HEALTH) else str(c)[:48]
            for c in cases]


@pytest.mark.parametrize("lead,sentence,expected,title_word", MENTIONS, ids=_ids(MENTIONS))
def test_mention_phrasings(settings, tmp_path, lead, sentence, expected, title_word, audit_text):
    items = audit_text(lead + sentence + "\n")
    found = [it for it in items if it.citation.kind == "mention"]
    assert found, f"no mention extracted from {sentence!r}"
    for it in found:
        allowed = expected if isinstance(expected, tuple) else (expected,)
        assert it.check.verdict in allowed, (it.check.verdict, it.check.reason)
        if title_word:
            assert it.check.record is not None and title_word.lower() in it.check.record.title.lower()


def test_bracketed_citations_are_one_mention_each(settings, tmp_path, audit_text):
    items = audit_text(KRATOM + "Kratom's effects are complex (Veltri & Grundmann, 2019; Eastlack "
                                               "et al., 2020).\n")
    got = sorted((it.citation.fields.authors[0].family, it.citation.fields.year, it.check.verdict)
                 for it in items if it.citation.kind == "mention")
    assert got == [("Eastlack", 2020, V), ("Veltri", 2019, V)]


def test_bracketed_citations_link_to_the_reference_list(settings, tmp_path, audit_text):
    text = (KRATOM + "Kratom users report many health diagnoses (Bath et al., 2020). Others describe paradoxical "
            "effects (Smith et al., 2023).\n\nReferences\n\n1. Bath R, Bucholz T, Buros AF, Singh D, Smith KE, Veltri "
            "CA, Grundmann O. Self-reported Health Diagnoses and Demographic Correlates With Kratom Use: Results From "
            "an Online Survey. J Addict Med. 2020;14(3):244-252.\n2. Smith KE, Feldman JD, Dunn KE, et al. Examining "
            "the paradoxical effects of kratom: a narrative inquiry. Front Pharmacol. 2023;14:1174139.\n")
    items = audit_text(text)
    mentions = [it for it in items if it.citation.kind == "mention"]
    refs = {i: it for i, it in enumerate(items) if it.citation.kind == "reference"}
    assert len(mentions) == 2 and all(it.citation.linked_to in refs for it in mentions)
    for it in mentions:
        ref = refs[it.citation.linked_to].citation
        assert ref.fields.authors[0].family == it.citation.fields.authors[0].family
        assert it.check.verdict == V


@pytest.mark.parametrize("sentence,expected,quote_check", QUOTES, ids=[q[0][:48] for q in QUOTES])
def test_quoted_studies(settings, tmp_path, sentence, expected, quote_check, audit_text):
    items = audit_text(KRATOM + sentence + "\n")
    [it] = [it for it in items if it.citation.kind in ("mention", "quote")]
    assert it.check.verdict == expected, it.check.reason
    assert it.citation.extra.get("quote_check") == quote_check
    if quote_check:
        assert it.check.notes[0].startswith("quote: found in the abstract")


@pytest.mark.parametrize("sentence", NOT_MENTIONS, ids=[s[:48] for s in NOT_MENTIONS])
def test_not_a_study(settings, tmp_path, sentence, audit_text):
    items = audit_text(KRATOM + sentence + "\n")
    got = [(it.citation.kind, it.citation.text) for it in items if it.citation.kind in ("mention", "quote", "bio")]
    assert got == []


@pytest.mark.parametrize("sentence", CLAIMS, ids=[s[:48] for s in CLAIMS])
def test_uncited_claims(settings, tmp_path, sentence, audit_text):
    items = audit_text(KRATOM + sentence + "\n")
    got = [(it.citation.kind, it.check.verdict, it.check.reason) for it in items
           if it.citation.kind != "claim" or sentence in it.citation.text]
    assert got == [("claim", C, "research claimed without a source")]


@pytest.mark.parametrize("block,name,expected,fragment", BIOS, ids=[b[1] for b in BIOS])
def test_bio_shapes(settings, tmp_path, block, name, expected, fragment, audit_text):
    items = audit_text(KRATOM + "Kratom is widely sold online.\n\n" + block + "\n")
    bios = [it for it in items if it.citation.kind == "bio"]
    assert [it.citation.extra["name"] for it in bios] == [name]
    assert bios[0].check.verdict == expected, bios[0].check.reason
    if fragment:
        assert fragment in bios[0].check.reason
    assert not [it for it in items if it.citation.kind == "mention"]

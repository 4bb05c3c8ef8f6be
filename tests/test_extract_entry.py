"""parse_entry and classify on every seed-002 entry and on each supported citation style."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from citeaudit.extract.classify import classify
from citeaudit.extract.entry import parse_entry
from citeaudit.extract.references import find_reference_entries
from citeaudit.ingest.document import load_document

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SEED_002 = FIXTURES / "articles" / "002_kratom_back_pain.txt"


def seed_entries() -> list[str]:
    doc = load_document(str(SEED_002))
    return [doc.text[s:e] for s, e in find_reference_entries(doc)]


def names(fields) -> list[tuple[str, str]]:
    return [(p.family, p.given) for p in fields.authors]


# Expected parse of each of the 12 entries of seed 002, in list order. Keys absent
# from a dict must be empty/None/False in the parsed Fields.
SEED_002_EXPECTED = [
    dict(publisher="World Health Organization", year=2023, title="Low back pain", category="grey"),
    dict(authors=[("Grinspoon", "Peter")], year=2019, title="Kratom: Fear-worthy foliage or beneficial botanical?",
         journal="Harvard Health Blog", publisher="Harvard Medical School", category="grey"),
    dict(authors=[("Veltri", "Charles"), ("Grundmann", "Oliver")], year=2022,
         title="Current perspectives on the impact of Kratom use", journal="Substance Abuse and Rehabilitation",
         volume="10", category="scholarly", work="veltri2019"),
    dict(authors=[("Bath", "R"), ("Bucholz", "T"), ("Buros", "AF"), ("Singh", "D"), ("Smith", "KE"),
                  ("Veltri", "CA"), ("Grundmann", "O")], year=2020,
         title="Self-reported Health Diagnoses and Demographic Correlates With Kratom Use: Results From an Online Survey",
         journal="J Addict Med", volume="14", issue="3", pages="244-252", category="scholarly", work="bath2020"),
    dict(authors=[("Smith", "Kirsten E."), ("Feldman", "Jeffrey D."), ("Dunn", "Kelly E.")], et_al=True, year=2023,
         title="Examining the paradoxical effects of kratom: a narrative inquiry", journal="Front. Pharmacol.",
         volume="14", category="scholarly", work="smith2023"),
    dict(authors=[("Vicknasingam", "B"), ("Chooi", "WT"), ("Rahim", "AA"), ("Ramachandram", "D"), ("Singh", "D"),
                  ("Ramanathan", "S"), ("Yusof", "NSM"), ("Zainal", "H"), ("Murugaiyah", "V"), ("Gueorguieva", "R"),
                  ("Mansor", "SM"), ("Chawarski", "MC")], year=2020,
         title="Kratom and Pain Tolerance: A Randomized, Placebo-Controlled, Double-Blind Study",
         journal="Yale J Biol Med", volume="93", issue="2", pages="229-238", category="scholarly",
         work="vicknasingam2020"),
    dict(authors=[("Eastlack", "S.C."), ("Cornett", "E.M."), ("Kaye", "A.D.")], year=2020,
         title="Kratom—Pharmacology, Clinical Implications, and Outlook: A Comprehensive Review",
         journal="Pain Ther", volume="9", pages="55-69", category="scholarly", work="eastlack2020"),
    dict(publisher="Johns Hopkins Medicine", year=2020,
         title="Natural Herb Kratom May Have Therapeutic Effects And Relatively Low Potential For Abuse Or Harm, "
               "According To A User Survey", category="grey"),
    dict(publisher="NIDA", year=2022, title="Kratom", category="grey"),
    dict(authors=[("Striley", "CW"), ("Hoeflich", "CC"), ("Viegas", "AT"), ("Berkowitz", "LA"), ("Matthews", "EG"),
                  ("Akin", "LP"), ("Iheanyi-Okeahialam", "C"), ("Mansoor", "U"), ("McCurdy", "CR")], year=2022,
         title="Health Effects Associated With Kratom (Mitragyna speciosa) and Polysubstance Use: A Narrative Review",
         journal="Subst Abuse", volume="16", pages="11782218221095873", category="scholarly", work="striley2022"),
    dict(authors=[("Tobacyk", "Julia"), ("Parks", "Brian J"), ("Lovelady", "Nakita"), ("Brents", "Lisa K")],
         year=2022, title="Qualitative content analysis of public responses to an FDA inquiry on the impact of "
                          "scheduling changes to kratom",
         journal="International Journal of Drug Policy", volume="108", pages="103817", category="scholarly",
         work="tobacyk2022"),
    dict(authors=[("Saingam", "Darika"), ("Singh", "Darshan"), ("Geater", "Alan F."), ("Assanangkornchai", "Sawitri"),
                  ("Jitpiboon", "Walailuk"), ("Latkin", "Carl")], year=2023,
         title="The Health Impact of Long-Term Kratom (Mitragyna Speciosa) Use in Southern Thailand",
         journal="Substance Use & Misuse", volume="58", issue="10", category="scholarly", work="saingam2023"),
]

SCALAR_FIELDS = ("year", "title", "journal", "volume", "issue", "pages", "doi", "pmid", "pmcid", "url", "publisher")


def assert_fields(fields, expected: dict) -> None:
    assert names(fields) == expected.get("authors", [])
    assert fields.et_al == expected.get("et_al", False)
    for key in SCALAR_FIELDS:
        assert getattr(fields, key) == expected.get(key), key


@pytest.mark.parametrize("index", range(12))
def test_seed_002_entry_fields(index):
    entry = seed_entries()[index]
    expected = SEED_002_EXPECTED[index]
    fields = parse_entry(entry)
    assert_fields(fields, expected)
    assert classify(fields, entry) == expected["category"]


def test_seed_002_volumes_agree_with_seed_truth():
    truth = {w["key"]: w for w in json.loads((FIXTURES / "seed-truth.json").read_text())["works"]}
    checked = 0
    for entry, expected in zip(seed_entries(), SEED_002_EXPECTED):
        if "work" in expected:
            assert parse_entry(entry).volume == truth[expected["work"]]["volume"]
            checked += 1
    assert checked == 8


def test_seed_002_has_four_grey_and_eight_scholarly_entries():
    categories = [classify(parse_entry(e), e) for e in seed_entries()]
    assert categories.count("grey") == 4
    assert categories.count("scholarly") == 8


STYLES = {
    "vancouver": [
        ("Bath R, Bucholz T, Buros AF, Singh D, Smith KE, Veltri CA, Grundmann O. Self-reported Health Diagnoses and "
         "Demographic Correlates With Kratom Use: Results From an Online Survey. J Addict Med. 2020 May/Jun;14(3):244-252. "
         "doi:10.1097/ADM.0000000000000570. PMID: 31567595.",
         dict(authors=[("Bath", "R"), ("Bucholz", "T"), ("Buros", "AF"), ("Singh", "D"), ("Smith", "KE"),
                       ("Veltri", "CA"), ("Grundmann", "O")], year=2020,
              title="Self-reported Health Diagnoses and Demographic Correlates With Kratom Use: Results From an Online "
                    "Survey", journal="J Addict Med", volume="14", issue="3", pages="244-252",
              doi="10.1097/adm.0000000000000570", pmid="31567595")),
        ("Park YS, Konge L, Artino AR. The Positivism Paradigm of Research. Acad Med. 2020 May;95(5):690-694. "
         "doi: 10.1097/ACM.0000000000003093. PMID: 31789841.",
         dict(authors=[("Park", "YS"), ("Konge", "L"), ("Artino", "AR")], year=2020,
              title="The Positivism Paradigm of Research", journal="Acad Med", volume="95", issue="5",
              pages="690-694", doi="10.1097/acm.0000000000003093", pmid="31789841")),
        ("Greenlund IM, Carter JR. Sympathetic neural responses to sleep disorders and insufficiencies. Am J Physiol "
         "Heart Circ Physiol. 2022 Mar 1;322(3):H337-H349. doi: 10.1152/ajpheart.00590.2021. PMID: 34995163; "
         "PMCID: PMC8836729.",
         dict(authors=[("Greenlund", "IM"), ("Carter", "JR")], year=2022,
              title="Sympathetic neural responses to sleep disorders and insufficiencies",
              journal="Am J Physiol Heart Circ Physiol", volume="322", issue="3", pages="H337-H349",
              doi="10.1152/ajpheart.00590.2021", pmid="34995163", pmcid="PMC8836729")),
        ("Oliver ECJ, Benthuysen JA, Darmaraki S, et al. Marine Heatwaves. Ann Rev Mar Sci. 2021 Jan 3;13:313-342. "
         "doi: 10.1146/annurev-marine-032720-095144.",
         dict(authors=[("Oliver", "ECJ"), ("Benthuysen", "JA"), ("Darmaraki", "S")], et_al=True, year=2021,
              title="Marine Heatwaves", journal="Ann Rev Mar Sci", volume="13", pages="313-342",
              doi="10.1146/annurev-marine-032720-095144")),
    ],
    "ama": [
        ("Eastlack SC, Cornett EM, Kaye AD. Kratom—pharmacology, clinical implications, and outlook: a comprehensive "
         "review. Pain Ther. 2020;9(1):55-69.",
         dict(authors=[("Eastlack", "SC"), ("Cornett", "EM"), ("Kaye", "AD")], year=2020,
              title="Kratom—pharmacology, clinical implications, and outlook: a comprehensive review",
              journal="Pain Ther", volume="9", issue="1", pages="55-69")),
        ("Richter EA, Sylow L, Hargreaves M. Interactions between insulin and exercise. Biochem J. "
         "2021;478(21):3827-3846. doi:10.1042/BCJ20210185",
         dict(authors=[("Richter", "EA"), ("Sylow", "L"), ("Hargreaves", "M")], year=2021,
              title="Interactions between insulin and exercise", journal="Biochem J", volume="478", issue="21",
              pages="3827-3846", doi="10.1042/bcj20210185")),
        ("Afridi B, Khan H, Akkol EK, Aschner M. Pain Perception and Management: Where do We Stand? Curr Mol "
         "Pharmacol. 2021;14(5):678-688.",
         dict(authors=[("Afridi", "B"), ("Khan", "H"), ("Akkol", "EK"), ("Aschner", "M")], year=2021,
              title="Pain Perception and Management: Where do We Stand?", journal="Curr Mol Pharmacol",
              volume="14", issue="5", pages="678-688")),
        ("Brown TR. The London Patient. AIDS Res Hum Retroviruses. 2020;36(4):251-252.",
         dict(authors=[("Brown", "TR")], year=2020, title="The London Patient", journal="AIDS Res Hum Retroviruses",
              volume="36", issue="4", pages="251-252")),
    ],
    "apa": [
        ("Smith, K. E., Feldman, J. D., & Dunn, K. E. (2023). Examining the paradoxical effects of kratom: a narrative "
         "inquiry. Frontiers in Pharmacology, 14, 1174139. https://doi.org/10.3389/fphar.2023.1174139",
         dict(authors=[("Smith", "K. E."), ("Feldman", "J. D."), ("Dunn", "K. E.")], year=2023,
              title="Examining the paradoxical effects of kratom: a narrative inquiry",
              journal="Frontiers in Pharmacology", volume="14", pages="1174139", doi="10.3389/fphar.2023.1174139")),
        ("Prime, H., Wade, M., & Browne, D. T. (2020). Risk and resilience in family well-being during the COVID-19 "
         "pandemic. American Psychologist, 75(5), 631–643. https://doi.org/10.1037/amp0000660",
         dict(authors=[("Prime", "H."), ("Wade", "M."), ("Browne", "D. T.")], year=2020,
              title="Risk and resilience in family well-being during the COVID-19 pandemic",
              journal="American Psychologist", volume="75", issue="5", pages="631-643", doi="10.1037/amp0000660")),
        ("Silva, M. A. (2021). Review of the Neurobehavioral Symptom Inventory. Rehabilitation Psychology, 66(2), "
         "170–182. https://doi.org/10.1037/rep0000367",
         dict(authors=[("Silva", "M. A.")], year=2021, title="Review of the Neurobehavioral Symptom Inventory",
              journal="Rehabilitation Psychology", volume="66", issue="2", pages="170-182",
              doi="10.1037/rep0000367")),
        ("Liu, M., Wang, D., Gao, L., Tian, H., Liu, S., Chen, D., & Duan, X. (2018). Species diversity of drifting "
         "fish eggs in the Yangtze River using molecular identification. PeerJ, 6, e5807.",
         dict(authors=[("Liu", "M."), ("Wang", "D."), ("Gao", "L."), ("Tian", "H."), ("Liu", "S."), ("Chen", "D."),
                       ("Duan", "X.")], year=2018,
              title="Species diversity of drifting fish eggs in the Yangtze River using molecular identification",
              journal="PeerJ", volume="6", pages="e5807")),
    ],
    "harvard": [
        ("Richter, E.A., Sylow, L. and Hargreaves, M. (2021) 'Interactions between insulin and exercise', "
         "Biochemical Journal, 478(21), pp. 3827-3846.",
         dict(authors=[("Richter", "E.A."), ("Sylow", "L."), ("Hargreaves", "M.")], year=2021,
              title="Interactions between insulin and exercise", journal="Biochemical Journal", volume="478",
              issue="21", pages="3827-3846")),
        ("Boffa, M.B. and Koschinsky, M.L. (2024) ‘Lipoprotein(a) and cardiovascular disease’, Biochemical Journal, "
         "481(19), pp. 1277–1296. doi:10.1042/BCJ20240037.",
         dict(authors=[("Boffa", "M.B."), ("Koschinsky", "M.L.")], year=2024,
              title="Lipoprotein(a) and cardiovascular disease", journal="Biochemical Journal", volume="481",
              issue="19", pages="1277-1296", doi="10.1042/bcj20240037")),
        ("Ewing, E.T. (2021) 'Public health responses to pandemics in 1918 and 2020', American Journal of Public "
         "Health, 111(10), pp. 1715-1717.",
         dict(authors=[("Ewing", "E.T.")], year=2021, title="Public health responses to pandemics in 1918 and 2020",
              journal="American Journal of Public Health", volume="111", issue="10", pages="1715-1717")),
    ],
    "chicago": [
        ('Park, Yoon Soo, Lars Konge, and Anthony R. Artino. 2020. "The Positivism Paradigm of Research." Academic '
         "Medicine 95 (5): 690–94. https://doi.org/10.1097/ACM.0000000000003093.",
         dict(authors=[("Park", "Yoon Soo"), ("Konge", "Lars"), ("Artino", "Anthony R.")], year=2020,
              title="The Positivism Paradigm of Research", journal="Academic Medicine", volume="95", issue="5",
              pages="690-94", doi="10.1097/acm.0000000000003093")),
        ("Prime, Heather, Mark Wade, and Dillon T. Browne. 2020. “Risk and Resilience in Family Well-Being during the "
         "COVID-19 Pandemic.” American Psychologist 75 (5): 631–43.",
         dict(authors=[("Prime", "Heather"), ("Wade", "Mark"), ("Browne", "Dillon T.")], year=2020,
              title="Risk and Resilience in Family Well-Being during the COVID-19 Pandemic",
              journal="American Psychologist", volume="75", issue="5", pages="631-43")),
        ('Richter, Erik A., Lykke Sylow, and Mark Hargreaves. 2021. "Interactions between Insulin and Exercise." '
         "Biochemical Journal 478 (21): 3827–46.",
         dict(authors=[("Richter", "Erik A."), ("Sylow", "Lykke"), ("Hargreaves", "Mark")], year=2021,
              title="Interactions between Insulin and Exercise", journal="Biochemical Journal", volume="478",
              issue="21", pages="3827-46")),
    ],
    "mla": [
        ('Smith, Kirsten E., et al. "Examining the Paradoxical Effects of Kratom: A Narrative Inquiry." Frontiers in '
         "Pharmacology, vol. 14, 2023, p. 1174139.",
         dict(authors=[("Smith", "Kirsten E.")], et_al=True, year=2023,
              title="Examining the Paradoxical Effects of Kratom: A Narrative Inquiry",
              journal="Frontiers in Pharmacology", volume="14", pages="1174139")),
    ],
    "blog_hybrid": [
        ("Charles Veltri & Oliver Grundmann, (2022), “Current perspectives on the impact of Kratom use” Substance Abuse "
         "and Rehabilitation Volume 10, 2019",
         dict(authors=[("Veltri", "Charles"), ("Grundmann", "Oliver")], year=2022,
              title="Current perspectives on the impact of Kratom use", journal="Substance Abuse and Rehabilitation",
              volume="10")),
        ("Michael B. Boffa & Marlys L. Koschinsky, (2024), “Lipoprotein(a) and cardiovascular disease”. Biochemical "
         "Journal, Volume 481, Issue 19, 1277-1296.",
         dict(authors=[("Boffa", "Michael B."), ("Koschinsky", "Marlys L.")], year=2024,
              title="Lipoprotein(a) and cardiovascular disease", journal="Biochemical Journal", volume="481",
              issue="19", pages="1277-1296")),
        ("Erik A. Richter, Lykke Sylow, Mark Hargreaves, (2021), “Interactions between insulin and exercise” Biochem J "
         "478, 3827–3846.",
         dict(authors=[("Richter", "Erik A."), ("Sylow", "Lykke"), ("Hargreaves", "Mark")], year=2021,
              title="Interactions between insulin and exercise", journal="Biochem J", volume="478",
              pages="3827-3846")),
    ],
}


@pytest.mark.parametrize(
    "entry,expected",
    [case for cases in STYLES.values() for case in cases],
    ids=[f"{style}-{i}" for style, cases in STYLES.items() for i in range(len(cases))],
)
def test_style_entry_fields(entry, expected):
    fields = parse_entry(entry)
    assert_fields(fields, expected)
    assert classify(fields, entry) == "scholarly"


def test_url_is_kept_and_label_removed():
    fields = parse_entry("National Institute on Drug Abuse. Kratom. 2022. Available from: "
                         "https://nida.nih.gov/research-topics/kratom")
    assert fields.url == "https://nida.nih.gov/research-topics/kratom"
    assert fields.publisher == "National Institute on Drug Abuse"
    assert fields.title == "Kratom"
    assert fields.year == 2022
    assert fields.authors == []


@pytest.mark.parametrize(
    "entry,category",
    [
        ("U.S. Food and Drug Administration. FDA and Kratom. 2023. https://www.fda.gov/news-events/public-health-focus/fda-and-kratom", "grey"),
        ("Mayo Clinic Staff, (2021), “Back pain” fact sheet.", "grey"),
        ("Jane Roe, (2022), “Is kratom safe?” Medical News Today.", "grey"),
        ("Johns Hopkins Medicine. Press release: kratom survey. 2020.", "grey"),
        ("Smith KE, Dunn KE. A kratom study. Drug Alcohol Depend. 2020.", "scholarly"),
    ],
)
def test_classify(entry, category):
    assert classify(parse_entry(entry), entry) == category


@pytest.mark.parametrize("text", ["", "   ", "....", "(2020)", '""', "“”", "a" * 10000, "Smith KE, " * 2000 + "."])
def test_never_raises_on_odd_input(text):
    fields = parse_entry(text)
    assert fields.doi is None
    assert fields.authors == [] or all(p.family for p in fields.authors)


def test_stays_fast_on_long_adversarial_entries():
    started = time.perf_counter()
    for text in ("A. " * 4000, "Smith, " * 2000, "(2020) " * 2000, "1(2):3 " * 2000, '"' * 10000, "Ab Cd, " * 2000):
        parse_entry(text)
    assert time.perf_counter() - started < 2.0

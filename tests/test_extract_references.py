"""find_reference_entries and extract_references on the seed articles and on built lists."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from citeaudit.extract import extract_references
from citeaudit.extract.identifiers import find_dois, find_pmcids, find_pmids, find_urls, normalize_doi
from citeaudit.extract.references import find_reference_entries
from citeaudit.ingest.document import document_from_html, document_from_text, load_document

ARTICLES = Path(__file__).resolve().parent.parent / "fixtures" / "articles"


def entries(doc) -> list[str]:
    return [doc.text[s:e] for s, e in find_reference_entries(doc)]


def text_doc(text: str):
    return document_from_text(text, "inline.txt")


# --- seed articles ---------------------------------------------------------------------


def test_seed_002_has_exactly_its_twelve_reference_entries():
    found = entries(load_document(str(ARTICLES / "002_kratom_back_pain.txt")))
    assert len(found) == 12
    assert found[0] == "World Health Organization, (2023), “Low back pain”."
    assert found[8] == "NIDA. (2022), “Kratom.”"
    assert found[11].startswith("Darika Saingam, Darshan Singh, Alan F. Geater,,Sawitri")
    assert found[11].endswith("Substance Use & Misuse, Volume 58, 2023 – Issue 10.")
    assert [f.split(",")[0] for f in found[1:8]] == [
        "Peter Grinspoon", "Charles Veltri & Oliver Grundmann", "Bath R", "Kirsten E. Smith",
        "Vicknasingam B", "Eastlack", "Johns Hopkins Medicine",
    ]


def test_seed_002_side_effect_and_treatment_bullets_are_not_entries():
    found = entries(load_document(str(ARTICLES / "002_kratom_back_pain.txt")))
    for bullet in ("Nausea", "Constipation", "Coma", "Itching", "Tremors"):
        assert bullet not in found
    assert not any(f.startswith(("Prescription medications", "Tachycardia", "Changes in mood")) for f in found)


@pytest.mark.parametrize(
    "name", ["000_kratom_uncited.txt", "001_kratom_vendor.txt", "003_kratom_dopamine.txt", "004_kratom_guide.txt"]
)
def test_seed_articles_without_reference_list_yield_nothing(name):
    assert find_reference_entries(load_document(str(ARTICLES / name))) == []


def test_extract_references_on_seed_002():
    doc = load_document(str(ARTICLES / "002_kratom_back_pain.txt"))
    cites = extract_references(doc)
    assert len(cites) == 12
    assert all(c.kind == "reference" and doc.text[c.start : c.end] == c.text for c in cites)
    assert [c.category for c in cites] == ["grey", "grey"] + ["scholarly"] * 5 + ["grey", "grey"] + ["scholarly"] * 3
    assert cites[3].fields.journal == "J Addict Med"
    assert all(c.note is None for c in cites)


# --- headed lists ----------------------------------------------------------------------

BODY = "Kratom is a plant. A 2020 study found it may relieve pain (Smith et al., 2020).\n\n"


@pytest.mark.parametrize("heading", ["References", "## Sources", "Bibliography:", "Works Cited", "**Further reading**",
                                     "Literature", "7. Citations"])
def test_headed_numbered_list(heading):
    doc = text_doc(
        BODY + f"{heading}\n\n"
        "1. Brown TR. The London Patient. AIDS Res Hum Retroviruses. 2020;36(4):251-252.\n"
        "2. Ewing ET. Public Health Responses to Pandemics in 1918 and 2020. Am J Public Health. 2021;111(10):1715-1717.\n"
        "3. World Health Organization. Low back pain. 2023.\n"
        "\nAbout the author\n"
    )
    assert entries(doc) == [
        "Brown TR. The London Patient. AIDS Res Hum Retroviruses. 2020;36(4):251-252.",
        "Ewing ET. Public Health Responses to Pandemics in 1918 and 2020. Am J Public Health. 2021;111(10):1715-1717.",
        "World Health Organization. Low back pain. 2023.",
    ]


def test_bracketed_and_parenthesised_numbers():
    doc = text_doc(
        "References\n[1] Brown TR. The London Patient. AIDS Res Hum Retroviruses. 2020;36(4):251-252.\n"
        "[2] Silva MA. Review of the Neurobehavioral Symptom Inventory. Rehabil Psychol. 2021;66(2):170-182.\n"
        "\nMore text follows here without any citation.\n"
    )
    assert entries(doc) == [
        "Brown TR. The London Patient. AIDS Res Hum Retroviruses. 2020;36(4):251-252.",
        "Silva MA. Review of the Neurobehavioral Symptom Inventory. Rehabil Psychol. 2021;66(2):170-182.",
    ]
    doc = text_doc(BODY + "1) Brown TR. The London Patient. AIDS Res Hum Retroviruses. 2020;36(4):251-252.\n"
                   "2) Silva MA. Review of the Neurobehavioral Symptom Inventory. Rehabil Psychol. 2021;66(2):170-182.\n")
    assert [e[:8] for e in entries(doc)] == ["Brown TR", "Silva MA"]


def test_multi_line_entries_with_hanging_indent_keep_inner_newline():
    doc = text_doc(
        "References\n\n"
        "Prime, H., Wade, M., & Browne, D. T. (2020). Risk and resilience in family\n"
        "    well-being during the COVID-19 pandemic. American Psychologist, 75(5), 631–643.\n"
        "Silva, M. A. (2021). Review of the Neurobehavioral Symptom Inventory.\n"
        "    Rehabilitation Psychology, 66(2), 170–182.\n"
    )
    assert entries(doc) == [
        "Prime, H., Wade, M., & Browne, D. T. (2020). Risk and resilience in family\n"
        "    well-being during the COVID-19 pandemic. American Psychologist, 75(5), 631–643.",
        "Silva, M. A. (2021). Review of the Neurobehavioral Symptom Inventory.\n"
        "    Rehabilitation Psychology, 66(2), 170–182.",
    ]


def test_blank_line_separated_paragraphs_under_heading():
    doc = text_doc(
        "Sources\n\n"
        "Richter EA, Sylow L, Hargreaves M. Interactions between insulin\nand exercise. Biochem J. 2021;478(21):3827-3846.\n\n"
        "National Institute on Drug Abuse. Kratom. 2022. https://nida.nih.gov/research-topics/kratom\n\n"
        "Share this post\n"
    )
    assert entries(doc) == [
        "Richter EA, Sylow L, Hargreaves M. Interactions between insulin\nand exercise. Biochem J. 2021;478(21):3827-3846.",
        "National Institute on Drug Abuse. Kratom. 2022. https://nida.nih.gov/research-topics/kratom",
    ]


def test_one_entry_per_line_without_markers_or_blank_lines():
    doc = text_doc(
        "References\n"
        "Brown TR. The London Patient. AIDS Res Hum Retroviruses. 2020;36(4):251-252.\n"
        "Silva MA. Review of the Neurobehavioral Symptom Inventory. Rehabil Psychol. 2021;66(2):170-182.\n"
        "Ewing ET. Public Health Responses to Pandemics. Am J Public Health. 2021;111(10):1715-1717.\n"
    )
    assert [e[:8] for e in entries(doc)] == ["Brown TR", "Silva MA", "Ewing ET"]


def test_unheaded_run_of_unmarked_reference_lines_at_the_end():
    doc = text_doc(
        BODY + "Brown TR. The London Patient. AIDS Res Hum Retroviruses. 2020;36(4):251-252.\n"
        "Silva MA. Review of the Neurobehavioral Symptom Inventory. Rehabil Psychol. 2021;66(2):170-182.\n"
    )
    assert [e[:8] for e in entries(doc)] == ["Brown TR", "Silva MA"]


def test_html_reference_list_items():
    doc = document_from_html(
        "<html><body><article><p>Text.</p><h2>References</h2><ol>"
        "<li>Brown TR. The London Patient. AIDS Res Hum Retroviruses. 2020;36(4):251-252.</li>"
        "<li>Silva MA. Review of the Neurobehavioral Symptom Inventory. Rehabil Psychol. 2021;66(2):170-182.</li>"
        "</ol></article></body></html>",
        "page.html",
    )
    assert [e[:8] for e in entries(doc)] == ["Brown TR", "Silva MA"]


# --- what is not a reference list ------------------------------------------------------


def test_body_bullet_lists_and_prose_are_not_entries():
    doc = text_doc(
        "Side effects include:\n\n  • Nausea\n  • Dizziness (in 2020 reports)\n  • Dry mouth\n\n"
        "In 2021, Smith et al. (2021) reported more. See also Jones (2019).\n\n"
        "- National Institute on Drug Abuse (NIDA) (Government Portal): [Offers information.] – https://www.drugabuse.gov/\n"
        "- Medical News Today (Health Portal): [News.] – https://www.medicalnewstoday.com/\n"
    )
    assert find_reference_entries(doc) == []


def test_never_raises_and_is_fast_on_big_input():
    refs = "\n".join(
        f"{i}. Brown TR. The London Patient {i}. AIDS Res Hum Retroviruses. 2020;36(4):251-252." for i in range(1, 5001)
    )
    doc = text_doc("References\n" + refs + "\n" + "x(" * 5000 + "\n" + "Smith, K. " * 1000 + "\n" + "“" * 10000)
    started = time.perf_counter()
    spans = find_reference_entries(doc)
    assert time.perf_counter() - started < 5.0
    assert len(spans) == 5000
    assert doc.text[spans[-1][0] : spans[-1][1]].startswith("Brown TR. The London Patient 5000.")


@pytest.mark.parametrize("text", ["", "\n\n\n", "•", "1.", "References", "References\n\n•  \n", "\x00\x01"])
def test_degenerate_texts(text):
    assert find_reference_entries(text_doc(text) if text.strip("\x00\x01") else document_from_text("", "e")) == []


# --- bare identifiers in the body -------------------------------------------------------


def test_bare_identifiers_in_body_become_references_and_are_deduplicated():
    doc = text_doc(
        "A trial (doi:10.1000/xyz123) and a review (PMID: 31567595) were cited; the trial again: "
        "https://doi.org/10.1000/XYZ123.\n\n"
        "References\n\n"
        "1. Bath R, Bucholz T. Self-reported health. J Addict Med. 2020;14(3):244-252. PMID: 31567595.\n"
    )
    cites = extract_references(doc)
    assert [(c.text, c.fields.doi, c.fields.pmid, c.note) for c in cites[:1]] == [
        ("10.1000/xyz123", "10.1000/xyz123", None, "bare DOI in the body text")
    ]
    assert len(cites) == 2
    assert cites[1].fields.pmid == "31567595" and cites[1].text.startswith("Bath R")


def test_entry_without_title_or_journal_gets_a_note():
    doc = text_doc("References\n\n1. (2020)\n2. Brown TR. The London Patient. AIDS Res Hum Retroviruses. 2020;36(4):251-252.\n")
    cites = extract_references(doc)
    assert [c.note for c in cites] == ["could not find a title or journal in this entry", None]


# --- identifiers -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw,doi",
    [
        ("https://doi.org/10.3389/fphar.2023.1174139", "10.3389/fphar.2023.1174139"),
        ("http://dx.doi.org/10.1097/ADM.0000000000000570.", "10.1097/adm.0000000000000570"),
        ("doi: 10.1007/s40122-020-00151-x;", "10.1007/s40122-020-00151-x"),
        ("DOI:10.1016/S0140-6736(20)30183-5)", "10.1016/s0140-6736(20)30183-5"),
        ("https://doi.org/10.1177%2F11782218221095873", "10.1177/11782218221095873"),
        ("not a doi", None),
        ("10.12/x", None),
    ],
)
def test_normalize_doi(raw, doi):
    assert normalize_doi(raw) == doi


def test_find_identifiers():
    text = ("See (doi:10.1097/ADM.0000000000000570), PMID: 31567595, PubMed PMID 32607084, "
            "https://pubmed.ncbi.nlm.nih.gov/31994019/ and PMC7309661 at https://example.org/a_(b).")
    start = text.index("10.1097")
    assert find_dois(text) == [(start, start + 28, "10.1097/adm.0000000000000570")]
    assert [p for _, _, p in find_pmids(text)] == ["31567595", "32607084", "31994019"]
    assert find_pmcids(text) == [(text.index("PMC7309661"), text.index("PMC7309661") + 10, "PMC7309661")]
    assert [u for _, _, u in find_urls(text)] == ["https://pubmed.ncbi.nlm.nih.gov/31994019/", "https://example.org/a_(b)"]

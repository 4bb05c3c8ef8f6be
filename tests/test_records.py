"""Parsers of Crossref and E-utilities answers, on recorded and reconstructed fixtures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from citeaudit.records import crossref, pubmed

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
RECORDS = FIXTURES / "records"
API = FIXTURES / "api"


def _crossref(path: Path):
    return crossref.parse_work_response(json.loads(path.read_text(encoding="utf-8")))


def _pubmed(pmid: str):
    (record,) = pubmed.parse_efetch((RECORDS / "pubmed" / f"{pmid}.xml").read_bytes())
    return record


# --- Crossref ---------------------------------------------------------------------------


def test_crossref_work_with_publisher_correction():
    r = _crossref(RECORDS / "crossref" / "10.1371_journal.pone.0033693.json")
    assert r.source == "crossref" and r.raw_format == "crossref-json"
    assert r.doi == "10.1371/journal.pone.0033693"
    assert r.title.startswith("Methylphenidate Exposure Induces Dopamine Neuron Loss")
    assert r.journal == "PLoS ONE"
    assert (r.year, r.years, r.volume, r.issue, r.pages) == (2012, [2012], "7", "3", "e33693")
    assert r.authors[0].family == "Sadasivan" and r.authors[0].given == "Shankar"
    assert r.issns == ["1932-6203"]
    assert r.publication_types == ["journal-article"]
    assert r.url == "https://doi.org/10.1371/journal.pone.0033693"
    (update,) = r.updates
    assert (update.type, update.source, update.date) == ("correction", "publisher", "2012-05-08")
    assert update.doi == "10.1371/annotation/c76da2c1-ccb8-4797-94c1-359d3ceceeda"
    assert not r.retracted
    assert json.loads(r.raw)["DOI"] == r.doi


def test_crossref_jats_abstract_and_markup_are_stripped():
    message = {
        "DOI": "10.1/X",
        "title": ["A <i>Mitragyna</i> study"],
        "abstract": "<jats:title>Abstract</jats:title><jats:p>First.</jats:p><jats:p>Second &amp; last.</jats:p>",
        "author": [{"name": "WHO Consortium"}, {"family": "Doe", "given": "J"}, {"given": "orphan"}],
        "container-title": ["Journal One", "J One Alt"],
        "short-container-title": ["J One"],
        "published-print": {"date-parts": [[2020, 5]]},
        "published-online": {"date-parts": [[2019, 11, 2]]},
        "updated-by": [{"type": "expression-of-concern", "source": "retraction-watch", "DOI": "10.1/EOC",
                        "updated": {"date-parts": [[2021, 2]]}}],
        "update-to": [{"type": "retraction", "DOI": "10.1/OLD"}],
    }
    r = crossref.parse_work(message)
    assert r.doi == "10.1/x"
    assert r.title == "A Mitragyna study"
    assert r.abstract == "Abstract First. Second & last."
    assert [str(a) for a in r.authors] == ["WHO Consortium", "Doe J"]
    assert r.journal == "Journal One" and r.journal_abbrevs == ["J One", "J One Alt"]
    assert r.year == 2020 and r.years == [2019, 2020]  # no "issued": falls back to print
    assert r.updates[0].type == "expression_of_concern" and r.updates[0].date == "2021-02"
    assert r.update_to[0].type == "retraction" and r.update_to[0].doi == "10.1/old"


def test_crossref_tolerates_an_empty_message():
    r = crossref.parse_work({})
    assert r.source == "crossref" and r.doi is None and r.title is None and r.years == []


def test_crossref_works_response_and_errors():
    sample = RECORDS / "crossref"
    items = [json.loads(p.read_text())["message"] for p in sorted(sample.glob("10.7717_*.json"))]
    records = crossref.parse_works_response({"status": "ok", "message": {"items": items + ["junk"]}})
    assert len(records) == len(items) > 0
    with pytest.raises(ValueError):
        crossref.parse_work_response({"status": "error"})


# --- PubMed efetch ------------------------------------------------------------------------


def test_pubmed_historical_article():
    r = _pubmed("11636720")
    assert (r.pmid, r.doi) == ("11636720", "10.1163/156852873x00014")
    assert r.title == "Anaxagoras' theory of sex differentiation and heredity"
    assert r.journal == "Phronesis (Barcelona, Spain)" and r.journal_abbrevs == ["Phronesis (Barc)"]
    assert (r.year, r.volume, r.issue, r.pages) == (1973, "18", "1", "1-14")
    assert r.publication_types == ["Biography", "Historical Article", "Journal Article"]
    assert r.abstract is None
    assert r.raw.startswith("<PubmedArticle") and r.raw_format == "pubmed-xml"


def test_pubmed_structured_abstract_keeps_labels():
    r = _pubmed("32525788")
    assert r.doi == "10.2174/1874467213666200611142438"
    assert r.title == "Pain Perception and Management: Where do We Stand?"
    assert r.journal == "Current molecular pharmacology" and r.journal_abbrevs == ["Curr Mol Pharmacol"]
    assert (r.year, r.volume, r.issue, r.pages) == (2021, "14", "5", "678-688")
    assert r.abstract.startswith("BACKGROUND: Pain is often flammable")
    assert r.publication_types == ["Journal Article", "Review"]


def test_pubmed_erratum_links_and_article_number_pages():
    r = _pubmed("35649368")
    assert r.doi == "10.1016/j.celrep.2022.110870"
    assert r.journal_abbrevs == ["Cell Rep"] and (r.year, r.volume, r.pages) == (2022, "39", "110870")
    assert r.abstract.startswith("Overcoming resistance to chemotherapies")
    (update,) = r.updates
    assert (update.type, update.pmid, update.doi, update.source) == (
        "correction", "35767954", "10.1016/j.celrep.2022.111044", "pubmed")
    notice = _pubmed("38833988")
    assert notice.publication_types == ["Published Erratum"]
    assert notice.update_to[0].type == "correction" and notice.update_to[0].pmid == "33279609"


def test_pubmed_pii_pages_pmcid_collective_author_and_epub_year():
    r = _pubmed("26568896")
    assert r.pages == "239" and r.pmcid == "PMC4643289"
    assert r.title == "Titanium Dioxide Nanoparticles are not Cytotoxic or Clastogenic in Human Skin Cells"
    guideline = _pubmed("34843274")
    assert guideline.authors[0].family == "Guideline Development Panel for the Treatment of Depressive Disorders"
    assert guideline.year == 2022 and guideline.years == [2021, 2022]


def test_pubmed_title_inner_markup_kept_as_text():
    r = _pubmed("24808625")
    assert r.title == "NEW MDS AND CLUSTERING BASED ALGORITHMS FOR PROTEIN MODEL QUALITY ASSESSMENT AND SELECTION"
    titles = [rec.title for p in (RECORDS / "pubmed").glob("*.xml") for rec in pubmed.parse_efetch(p.read_bytes())]
    assert any("(Macaca mulatta)" in t for t in titles)


def test_every_recorded_efetch_file_parses():
    files = sorted((RECORDS / "pubmed").glob("*.xml"))
    assert len(files) == 160
    records = [r for f in files for r in pubmed.parse_efetch(f.read_bytes())]
    assert len(records) == 159  # 37909814.xml is an empty PubmedArticleSet
    assert all(r.pmid and r.title and r.year for r in records)
    assert pubmed.parse_efetch((RECORDS / "pubmed" / "37909814.xml").read_bytes()) == []


def test_pubmed_book_article_minimal():
    xml = """<PubmedArticleSet><PubmedBookArticle><BookDocument><PMID>20301295</PMID>
    <ArticleTitle>Kratom.</ArticleTitle><Book><BookTitle>LiverTox</BookTitle><PubDate><Year>2012</Year></PubDate></Book>
    <AuthorList><Author><LastName>Doe</LastName><Initials>J</Initials></Author></AuthorList>
    </BookDocument></PubmedBookArticle></PubmedArticleSet>"""
    (r,) = pubmed.parse_efetch(xml)
    assert (r.pmid, r.title, r.year, str(r.authors[0])) == ("20301295", "Kratom", 2012, "Doe J")


@pytest.mark.parametrize("bad", [b"<PubmedArticleSet><PubmedArticle>", b"", (API / "error-pubmed3.html")])
def test_pubmed_malformed_input_raises_value_error(bad):
    data = bad.read_bytes() if isinstance(bad, Path) else bad
    with pytest.raises(ValueError):
        pubmed.parse_efetch(data)


# --- esearch / ecitmatch -----------------------------------------------------------------


def test_esearch_samples():
    count, ids = pubmed.parse_esearch((API / "esearch1.xml").read_bytes())
    assert count == 63 and len(ids) == 20 and ids[0] == "41282813"
    assert pubmed.parse_esearch((API / "esearch5.xml").read_bytes()) == (
        5, ["6540636", "5830998", "4460425", "4466840", "3443459"])
    assert pubmed.parse_esearch((API / "esearch8.xml").read_bytes()) == (0, [])


def test_esearch_errors_raise_value_error():
    with pytest.raises(ValueError):
        pubmed.parse_esearch((API / "error-pubmed3.html").read_bytes())
    with pytest.raises(ValueError, match="Invalid db"):
        pubmed.parse_esearch("<eSearchResult><ERROR>Invalid db name specified: x</ERROR></eSearchResult>")


def test_ecitmatch_sample_and_not_found():
    assert pubmed.parse_ecitmatch((API / "ecitmatch.txt").read_text()) == {"citation_1": "2014248"}
    text = "j addict med|2020|14|244|bath r|k1|31567595\nfoo|2000|1|1|x|k2|NOT_FOUND\rbar|1|1|1|y|k3|AMBIGUOUS 1,2\n"
    assert pubmed.parse_ecitmatch(text) == {"k1": "31567595", "k2": None, "k3": None}


# --- reconstructed seed records --------------------------------------------------------------

RECONSTRUCTED = RECORDS / "reconstructed"


def test_reconstructed_bath2020_years_in_both_sources():
    cr = _crossref(RECONSTRUCTED / "crossref-bath2020.json")
    (pm,) = pubmed.parse_efetch((RECONSTRUCTED / "pubmed-bath2020.xml").read_bytes())
    assert {2019, 2020} <= set(cr.years) and {2019, 2020} <= set(pm.years)
    assert pm.year == 2020  # PubDate "2020 May-Jun" (MedlineDate)
    assert cr.doi == pm.doi == "10.1097/adm.0000000000000570"
    assert pm.pmid == "31567595" and (pm.volume, pm.issue, pm.pages) == ("14", "3", "244-252")
    assert str(pm.authors[0]) == "Bath R" and cr.authors[0].given == "R"
    assert json.loads(cr.raw)["reconstructed"] is True


def test_reconstructed_vicknasingam_has_pmid_and_no_doi():
    (r,) = pubmed.parse_efetch((RECONSTRUCTED / "pubmed-vicknasingam2020.xml").read_bytes())
    assert r.pmid == "32607084" and r.doi is None and r.pmcid == "PMC7309661"
    assert (r.volume, r.issue, r.pages, r.journal_abbrevs) == ("93", "2", "229-238", ["Yale J Biol Med"])
    assert r.abstract == ("Kratom decoction demonstrated a substantial and statistically significant "
                          "increase in pain tolerance.")
    assert r.publication_types == ["Randomized Controlled Trial"]
    assert "RECONSTRUCTED" in r.raw


def test_reconstructed_crossref_records():
    veltri = _crossref(RECONSTRUCTED / "crossref-veltri2019.json")
    assert veltri.doi is None and veltri.year == 2019 and veltri.pages == "23-31"
    saingam = _crossref(RECONSTRUCTED / "crossref-saingam2023.json")
    assert saingam.abstract == "Severe kratom dependents were more likely to suffer from intense withdrawal symptoms."
    assert saingam.pages is None and (saingam.volume, saingam.issue) == ("58", "10")
    smith = _crossref(RECONSTRUCTED / "crossref-smith2023.json")
    assert smith.pages == "1174139" and smith.issue is None

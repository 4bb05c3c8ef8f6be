"""Markdown emphasis in reference lists, and web pages cited by URL."""

from citeaudit.extract import extract_references
from citeaudit.ingest.document import document_from_text

ARTICLE = """# Does turmeric help arthritis?

Turmeric is popular.

## References

1. Daily JW, Yang M, Park S. Efficacy of Turmeric Extracts and Curcumin for Alleviating the Symptoms of Joint Arthritis: A Systematic Review and Meta-Analysis of Randomized Clinical Trials. J Med Food. 2016;19(8):717-729. doi:10.1089/jmf.2016.3705
2. Hewlings, S. J., & Kalman, D. S. (2017). Curcumin: A review of its effects on human health. *Foods*, 6(10), 92. https://doi.org/10.3390/foods6100092
3. National Center for Complementary and Integrative Health. Turmeric. https://www.nccih.nih.gov/health/turmeric. Updated May 2020.
"""


def test_markdown_emphasis_is_removed_but_urls_keep_underscores():
    doc = document_from_text("See **bold**, *Foods* and https://x.org/a_b_c/d_e and snake_case.", "x.md", "markdown")
    assert doc.text == "See bold, Foods and https://x.org/a_b_c/d_e and snake_case."
    assert doc.links[0].href == "https://x.org/a_b_c/d_e"


def test_markdown_reference_list_fields_and_categories():
    refs = extract_references(document_from_text(ARTICLE, "a.md", "markdown"))
    assert [c.category for c in refs] == ["scholarly", "scholarly", "grey"]
    assert refs[0].fields.doi == "10.1089/jmf.2016.3705" and refs[0].fields.journal == "J Med Food"
    assert refs[1].fields.journal == "Foods" and refs[1].fields.volume == "6" and refs[1].fields.pages == "92"
    assert refs[2].fields.url == "https://www.nccih.nih.gov/health/turmeric"


def test_unnumbered_entries_after_a_numbered_list_are_entries_of_their_own():
    text = (
        "References\n"
        "(1) Manson JE, Cook NR, Lee IM, et al. Marine n-3 Fatty Acids and Prevention of Cardiovascular Disease "
        "and Cancer. N Engl J Med 2019; 380:23-32.\n"
        "(2) Aung T, Halsey J, Kromhout D, et al. Associations of Omega-3 Fatty Acid Supplement Use With "
        "Cardiovascular Disease Risks. JAMA Cardiol. 2018;3(3):225-234. doi:10.1001/jamacardio.2017.5205\n"
        "Abdelhamid, A.S., Brown, T.J., Brainard, J.S. et al. (2018) 'Omega-3 fatty acids for the primary and "
        "secondary prevention of cardiovascular disease', Cochrane Database of Systematic Reviews, 7(7), CD003177.\n"
        "Rizos EC, Ntzani EE, Bika E. Association between omega-3 fatty acid supplementation and risk of major "
        "cardiovascular disease events. JAMA. 2012 Sep 12;308(10):1024-33.\n"
    )
    refs = extract_references(document_from_text(text, "b.txt"))
    assert [c.fields.authors[0].family for c in refs] == ["Manson", "Aung", "Abdelhamid", "Rizos"]
    assert refs[3].fields.journal == "JAMA" and refs[3].fields.pages == "1024-33"

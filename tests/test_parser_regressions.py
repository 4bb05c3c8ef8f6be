"""Parser and matcher cases found by auditing articles outside the seeds."""

from citeaudit.extract.entry import parse_entry
from citeaudit.judge.match import journal_matches
from citeaudit.models import Record


def test_short_subtitle_after_a_question_stays_in_the_title():
    f = parse_entry("Smith J, Doe K. (2019). How many fish? A census. Drugs (Abingdon, England), 12(3), 45-50.")
    assert f.title == "How many fish? A census"
    assert f.journal == "Drugs (Abingdon, England)" and f.volume == "12" and f.pages == "45-50"


def test_quoted_title_ending_in_a_question_keeps_a_sentence_case_journal():
    f = parse_entry("Sharma, S., Sharma, B. and Dey Sadhu, S. (2022) 'Microplastic profusion in food and drinking "
                    "water: are microplastics becoming a macroproblem?', Environmental science. Processes & impacts, "
                    "24(7), pp. 992-1009.")
    assert f.title.endswith("macroproblem?")
    assert f.journal == "Environmental science. Processes & impacts"


def test_journal_with_a_place_qualifier_matches_itself_and_its_plain_name():
    rec = Record(source="pubmed", journal="Phronesis (Barcelona, Spain)")
    assert journal_matches("Phronesis (Barcelona, Spain)", rec)[0]
    assert journal_matches("Phronesis", rec)[0]
    assert journal_matches("Drugs (Abingdon, England)", Record(source="pubmed", journal="Drugs"))[0]
    assert not journal_matches("Pain Medicine", Record(source="pubmed", journal="Drugs (Abingdon, England)"))[0]


def test_single_author_with_a_one_word_title_vancouver():
    # found by the throughput benchmark: the title was read as part of the author's name,
    # so a real work (PubMed 'Early Sci Med') came out unfound
    f = parse_entry("Siraisi N. Introduction. Early Sci Med. 2001;6(4):259-66.")
    assert [str(a) for a in f.authors] == ["Siraisi N"]
    assert f.title == "Introduction" and f.journal == "Early Sci Med"
    assert (f.year, f.volume, f.issue, f.pages) == (2001, "6", "4", "259-66")


def test_title_ending_in_question_mark_and_full_stop_keeps_a_two_part_journal():
    f = parse_entry("Sharma, S., Sharma, B., & Dey Sadhu, S. (2022). Microplastic profusion in food and drinking "
                    "water: are microplastics becoming a macroproblem?. Environmental science. Processes & impacts, "
                    "24(7), 992-1009. https://doi.org/10.1039/d1em00553g")
    assert f.title.endswith("macroproblem?")
    assert f.journal == "Environmental science. Processes & impacts" and f.volume == "24"

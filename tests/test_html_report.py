"""`--format html` in a real headless browser (Debian's chromium, installed by .ci/run): the
page renders, problems come first, verdicts read without colour, and no script from the
article runs. Audits run against the loopback emulator."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from typer.testing import CliRunner

from citeaudit.cli import app
from citeaudit.report.html import doi_url, pubmed_url

ROOT = Path(__file__).resolve().parents[1]
SEED_003 = ROOT / "fixtures/articles/003_kratom_dopamine.txt"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs it: "
                                    "apt-get install -y chromium)")
runner = CliRunner()

PAYLOAD = ("<script>document.title='PWNED'</script><img src=x onerror=\"document.body.dataset.pwned='1'\">"
           "<iframe src=\"javascript:alert(1)\"></iframe>")
HOSTILE_ARTICLE = f"""Kratom {PAYLOAD} and pain

Kratom is studied. Research suggests it helps.

References

  \u2022 Bath R, Bucholz T, Buros AF, Singh D, Smith KE, Veltri CA, Grundmann O., (2020), \u201cSelf-reported Health Diagnoses and Demographic Correlates With Kratom Use: Results From an Online Survey.\u201d J Addict Med. 2020 May/Jun;14(3):244-252
  \u2022 Johnson E, Carter M, (2021), \u201cKratom {PAYLOAD} reverses opioid withdrawal in a randomized trial.\u201d J Altern Pain Manag. 2021;7(2):101-109
"""


def chromium(*args: str, timeout: float = 90) -> subprocess.CompletedProcess:
    return subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                           "--no-first-run", *args], capture_output=True, text=True, timeout=timeout)


def rendered_dom(page: Path, tmp_path: Path) -> str:
    """The page's DOM after chromium loaded it (any script that ran would have changed it)."""
    done = chromium(f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=2000", "--dump-dom",
                    page.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    assert "<body" in done.stdout
    return done.stdout


@pytest.fixture
def hostile_page(service_env, tmp_path):
    article = tmp_path / "hostile.txt"
    article.write_text(HOSTILE_ARTICLE, encoding="utf-8")
    page = tmp_path / "report.html"
    result = runner.invoke(app, ["run", str(article), "--format", "html", "-o", str(page)])
    assert result.exit_code == 1, result.output  # the fabricated study is unfound
    return page


@needs_chromium
def test_page_renders_with_problems_first_and_no_article_script_runs(hostile_page, tmp_path):
    html = hostile_page.read_text(encoding="utf-8")
    assert "<script" not in html.lower() and "<img" not in html.lower() and "<iframe" not in html.lower()
    static = BeautifulSoup(html, "html.parser")
    assert not static.find_all(src=True) and not static.find_all("link")  # no external assets
    dom = rendered_dom(hostile_page, tmp_path)
    soup = BeautifulSoup(dom, "html.parser")
    assert not soup.find_all(["script", "img", "iframe"])  # the article's markup stayed text
    assert soup.title.string != "PWNED" and not soup.body.get("data-pwned")
    assert "<script>document.title='PWNED'</script>" in soup.get_text()  # shown, as text
    assert soup.select_one(".headline").get_text().strip()
    sections = soup.select("section.citation")
    flags = [s["data-problem"] for s in sections]
    assert "yes" in flags and "no" in flags and flags == sorted(flags, reverse=True)  # problems first
    first = sections[0]
    assert first["data-verdict"] == "unfound" and "\u2717 UNFOUND" in first.select_one(".badge").get_text()
    verified = soup.select_one('section[data-verdict="verified"]')
    assert "VERIFIED" in verified.get_text()  # a word, not only a colour
    assert verified.select_one('a[href="https://doi.org/10.1097/adm.0000000000000570"]') is not None
    shot = tmp_path / "page.png"
    done = chromium(f"--user-data-dir={tmp_path / 'profile2'}", f"--screenshot={shot}", "--window-size=1000,1400",
                    hostile_page.as_uri())
    assert done.returncode == 0 and shot.stat().st_size > 10_000


@needs_chromium
def test_several_articles_give_an_index_page_and_one_page_each(service_env, tmp_path, hostile_page):
    article = tmp_path / "hostile.txt"
    site = tmp_path / "site"
    site.mkdir()
    result = runner.invoke(app, ["run", str(SEED_003), str(article), "--format", "html", "-o", str(site)])
    assert result.exit_code == 1, result.output
    pages = sorted(p.name for p in site.iterdir())
    assert pages == ["001-003-kratom-dopamine-txt.html", "002-hostile-txt.html", "index.html"]
    soup = BeautifulSoup(rendered_dom(site / "index.html", tmp_path), "html.parser")
    assert "total: 2 articles" in soup.select_one(".headline").get_text()
    assert [a["href"] for a in soup.select("nav.index a")] == ["001-003-kratom-dopamine-txt.html",
                                                               "002-hostile-txt.html"]
    one_page = runner.invoke(app, ["report", str(SEED_003), str(article), "--format", "html"]).stdout
    combined = BeautifulSoup(one_page, "html.parser")
    assert len(combined.select("article.report")) == 2 and not combined.find_all("script")


def test_links_only_from_identifiers():
    assert doi_url("10.1097/adm.0000000000000570") == "https://doi.org/10.1097/adm.0000000000000570"
    assert doi_url('10.1234/x"><script>') == "https://doi.org/10.1234/x%22%3E%3Cscript%3E"
    assert doi_url("javascript:alert(1)") is None
    assert pubmed_url("31567595") == "https://pubmed.ncbi.nlm.nih.gov/31567595/"
    assert pubmed_url("1 OR 1") is None

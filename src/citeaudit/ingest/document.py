"""Turn an article file (plain text, Markdown or HTML) into a :class:`Document`.

The Document's ``text`` is what every later stage points into, so every Link and
block span recorded here is an offset into that final text.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import re
import stat
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup, Comment, NavigableString, Tag
from bs4.element import CData, Declaration, Doctype, ProcessingInstruction

from citeaudit.extract.identifiers import find_urls
from citeaudit.models import Document, Link

MAX_BYTES = 20 * 1024 * 1024

_TEXT_SUFFIXES = {".txt": "text", ".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html"}
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_HTML_SNIFF_RE = re.compile(r"<(?:!doctype\s+html|html|head|body|p|div|article)\b", re.IGNORECASE)
# [anchor](href "title"), ![alt](src) and <https://autolink>
_MD_LINK_RE = re.compile(
    r"(?P<img>!?)\[(?P<anchor>[^\[\]\n]{0,1000})\]\(\s*<?(?P<href>[^()\s<>]{1,2000})>?(?:\s+\"[^\"\n]{0,300}\")?\s*\)"
    r"|<(?P<auto>https?://[^\s<>]{1,2000})>"
)


class IngestError(Exception):
    """An input file that cannot be read as an article; the message is one line for humans."""


# --- files and bytes -----------------------------------------------------------------


def load_document(path: str) -> Document:
    """Read ``path`` and return its Document, choosing the format from the extension.

    Unknown extensions are sniffed: HTML-looking content is parsed as HTML, the rest as
    plain text. Raises IngestError for missing, empty, binary or oversized files.
    """
    raw = _read_capped(path)
    text = _decode(raw, path)
    kind = _TEXT_SUFFIXES.get(Path(path).suffix.lower())
    if kind is None:
        kind = "html" if _HTML_SNIFF_RE.search(text[:4096]) else "text"
    if kind == "html":
        doc = document_from_html(text, path)
    else:
        doc = document_from_text(text, path, kind)
    doc.content_hash = hashlib.sha256(raw).hexdigest()
    return doc


def _read_capped(path: str) -> bytes:
    """Read at most MAX_BYTES + 1 bytes of ``path``, raising IngestError on bad files."""
    p = Path(path)
    if not p.exists():
        raise IngestError(f"{path}: no such file")
    if p.is_dir():
        raise IngestError(f"{path}: is a directory, not a file")
    try:
        mode = p.stat().st_mode
    except OSError as e:
        raise IngestError(f"{path}: cannot be read ({e.strerror or e})") from None
    if not stat.S_ISREG(mode):  # never opened: opening a FIFO waits for a writer
        raise IngestError(f"{path}: not a regular file ({_file_kind(mode)}); give an article file")
    try:
        with p.open("rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
    except OSError as e:
        raise IngestError(f"{path}: cannot be read ({e.strerror or e})") from None
    if len(raw) > MAX_BYTES:
        raise IngestError(f"{path}: file is larger than the {_format_size(MAX_BYTES)} limit")
    return raw


def _file_kind(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device")):
        if test(mode):
            return name
    return "not a plain file"


def _format_size(n: int) -> str:
    """Render a byte count as the largest whole unit (20 MB, 512 KB, 100 bytes)."""
    for unit, size in (("MB", 1024 * 1024), ("KB", 1024)):
        if n >= size and n % size == 0:
            return f"{n // size} {unit}"
    return f"{n} bytes"


def _decode(raw: bytes, path: str) -> str:
    """Decode file bytes and reject binary or empty input.

    A few stray NUL bytes in text are dropped; many (over 1% of the first 8,000 bytes,
    and not the every-other-byte pattern of BOM-less UTF-16) mean a binary file.
    """
    if b"\x00" in raw and not raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        if _utf16_without_bom(raw) is None:
            if raw[:8000].count(b"\x00") > len(raw[:8000]) / 100:
                raise IngestError(f"{path}: file looks binary (it contains NUL bytes)")
            raw = raw.replace(b"\x00", b"")
    text = _decode_bytes(raw)
    if not text.strip():
        raise IngestError(f"{path}: file is empty")
    if _looks_binary(text):
        raise IngestError(f"{path}: file looks binary (mostly non-text characters)")
    return text


def _decode_bytes(raw: bytes) -> str:
    """UTF-16 when a BOM (or the NUL pattern of ASCII in UTF-16) says so, else UTF-8 when the
    evidence says so (BOM dropped, bad bytes replaced in place, UTF-8 read as Windows-1252
    repaired), else cp1252."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16", errors="replace")
    utf16 = _utf16_without_bom(raw)
    if utf16:
        return raw.decode(utf16, errors="replace")
    if _utf8_is_likelier(raw):
        text = raw.decode("utf-8-sig", errors="replace")
        # a text with bad bytes was not saved through Windows-1252 as a whole: leave it as it is
        return _repair_mojibake(text) if "\ufffd" not in text else text
    return raw.decode("cp1252", errors="replace")


# a well-formed UTF-8 sequence of two to four bytes
_UTF8_MULTIBYTE_RE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
    rb"|\xf4[\x80-\x8f][\x80-\xbf]{2}")
_NON_ASCII_RE = re.compile(rb"[\x80-\xff]")


def _utf8_is_likelier(raw: bytes) -> bool:
    """Whether the bytes are UTF-8 (perhaps with a few damaged bytes) rather than Windows-1252.

    Decided once for the whole file, from evidence: the non-ASCII bytes that form well-formed
    UTF-8 sequences against those that do not. One stray byte in a UTF-8 article leaves it
    UTF-8 (the byte becomes U+FFFD where it is); a Windows-1252 file, whose accented letters
    are lone high bytes, has almost no well-formed sequences."""
    non_ascii = len(_NON_ASCII_RE.findall(raw))
    if non_ascii == 0:
        return True
    in_sequences = sum(len(m) for m in _UTF8_MULTIBYTE_RE.findall(raw))
    return in_sequences >= non_ascii - in_sequences


def _utf16_without_bom(raw: bytes) -> str | None:
    """"utf-16-le"/"utf-16-be" when NULs fill the odd/even bytes of the sample (ASCII in UTF-16)."""
    sample = raw[:8000]
    half = len(sample) // 2
    if half < 8:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if odd > 0.4 * half and even < 0.05 * half:
        return "utf-16-le"
    if even > 0.4 * half and odd < 0.05 * half:
        return "utf-16-be"
    return None


# UTF-8 lead bytes (Ã, Â, â, ð...) followed by what continuation bytes look like in Windows-1252
_MOJIBAKE_RE = re.compile("[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192"
                          "\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]")


def _repair_mojibake(text: str) -> str:
    """Undo UTF-8 that was decoded as Windows-1252 and saved again (\u00e2\u20ac\u0153 -> \u201c).

    Only when the whole text round-trips: every character maps back to one cp1252 (or
    C1 control) byte and those bytes are valid UTF-8. Otherwise the text is left alone.
    """
    if len(_MOJIBAKE_RE.findall(text[:200000])) < 3:
        return text
    out = bytearray()
    for ch in text:
        o = ord(ch)
        if o < 0x100:  # ASCII, Latin-1, and C1 controls standing for cp1252's undefined bytes
            out.append(o)
            continue
        try:
            out += ch.encode("cp1252")
        except UnicodeEncodeError:
            return text
    try:
        return out.decode("utf-8")
    except UnicodeDecodeError:
        return text


def _looks_binary(text: str) -> bool:
    """True when more than a tenth of the first 8,000 characters are control/undecodable."""
    sample = text[:8000]
    bad = len(_CONTROL_RE.findall(sample.replace("\r", "").replace("\f", ""))) + sample.count("\ufffd")
    return bad > len(sample) / 10


_ESCAPE_SEQ_RE = re.compile(r"(?:\x1b\[|\x9b)[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]{0,4096}(?:\x07|\x1b\\)?")


def clean_text(text: str) -> str:
    """Normalise newlines to \\n; drop terminal escape sequences whole and control characters
    other than \\n and \\t."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x1b" in text or "\x9b" in text:
        text = _ESCAPE_SEQ_RE.sub("", text)
    return _CONTROL_RE.sub(lambda m: m.group(0) if m.group(0) in "\n\t" else "", text)


# --- plain text and Markdown -----------------------------------------------------------


def document_from_text(text: str, source: str, kind: str = "text") -> Document:
    """Build a Document from plain text or Markdown (``kind`` "text" or "markdown").

    Markdown ``[anchor](url)`` links are reduced to their anchor text plus a Link; bare
    URLs in either format become Links whose anchor is the URL itself.
    """
    text = clean_text(text)
    links: list[Link] = []
    if kind == "markdown":
        text, links = _strip_markdown_links(_strip_markdown_emphasis(text))
    covered = [(link.start, link.end) for link in links]
    for start, end, url in find_urls(text):
        if not any(s <= start < e for s, e in covered):
            links.append(Link(start, end, url, url))
    links.sort(key=lambda link: link.start)
    return Document(source=source, text=text, kind=kind, title=_first_line_title(text, kind), links=links)


_MD_STAR_RE = re.compile(r"(?<![\w*\\])(\*{1,3})(?=\S)([^*\n]{1,500}?)(?<=\S)\1(?![\w*])")
_MD_UNDERSCORE_RE = re.compile(r"(?<![\w/\\=.-])(_{1,3})(?=\S)([^_\n]{1,500}?)(?<=\S)\1(?![\w/])")


def _strip_markdown_emphasis(text: str) -> str:
    """`*Foods*`, `**bold**`, `_Journal_` -> their words (URLs with underscores are left alone)."""
    text = _MD_STAR_RE.sub(r"\2", text)
    return _MD_UNDERSCORE_RE.sub(r"\2", text)


def _strip_markdown_links(text: str) -> tuple[str, list[Link]]:
    """Replace Markdown links/images/autolinks by their anchor text; return text and Links."""
    out: list[str] = []
    links: list[Link] = []
    pos = length = 0
    for m in _MD_LINK_RE.finditer(text):
        out.append(text[pos : m.start()])
        length += m.start() - pos
        if m.group("auto"):
            anchor = href = m.group("auto")
        else:
            anchor, href = ("" if m.group("img") else m.group("anchor")), m.group("href")
        out.append(anchor)
        if not m.group("img"):
            links.append(Link(length, length + len(anchor), href, anchor))
        length += len(anchor)
        pos = m.end()
    out.append(text[pos:])
    return "".join(out), links


def _first_line_title(text: str, kind: str) -> str | None:
    """The first non-empty line (without Markdown heading marks) when shorter than 200 chars."""
    for line in text.split("\n", 50)[:50]:
        line = line.strip()
        if kind == "markdown":
            line = line.lstrip("#").strip().strip("*_").strip()
        if line:
            return line if len(line) < 200 else None
    return None


# --- HTML ------------------------------------------------------------------------------

_DROP_TAGS = {"script", "style", "noscript", "template", "nav", "footer", "aside", "form", "iframe", "svg", "button"}
_NOISE_WORDS = {
    "comment", "comments", "related", "sidebar", "share", "sharing", "menu", "breadcrumb",
    "breadcrumbs", "footer", "nav", "navbar", "navigation",
}
_NEVER_DROP = {"html", "body", "main", "article"}
# theme furniture named by class: skip links, post meta lines (date / category / tags)
_NOISE_CLASSES = ("skip-link", "screen-reader-text", "entry-meta", "post-meta", "cat-links", "tags-links",
                  "post-categories", "entry-footer", "article-tag", "byline-meta", "reading-time")
_CONTENT_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6", "p"}
_BIO_WORDS = ("author-bio", "author-box", "about-author", "authorbio", "authorbox")
_BLOCK_TAGS = {
    "p", "div", "section", "article", "main", "header", "h1", "h2", "h3", "h4", "h5", "h6",
    "ul", "ol", "li", "table", "tr", "blockquote", "pre", "figure", "figcaption", "dl", "dt",
    "dd", "address", "hr", "details", "summary", "body",
}
_PARAGRAPH_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "ul", "ol", "figure"}
_SKIP_STRINGS = (Comment, Doctype, Declaration, CData, ProcessingInstruction)
_SPACE_RE = re.compile(r"[ \t\n\r\f\v]+")
_ARTICLE_TYPES = {"article", "newsarticle", "blogposting", "medicalwebpage", "webpage", "scholarlyarticle", "report"}


def document_from_html(html: str | bytes, source: str) -> Document:
    """Build a Document from an HTML page: visible article text, links, metadata, blocks.

    Scripts, styles, navigation, footers, site headers, asides, forms and comment /
    related-post / sharing widgets are dropped. Block elements end lines, list items
    appear on their own line prefixed with "• ". Author boxes are kept and recorded in
    ``blocks["bio"]``; every <li> in ``blocks["list_items"]``.
    """
    raw = html if isinstance(html, bytes) else None
    if isinstance(html, bytes):
        html = _decode_bytes(html)
    soup = _parse_html(html)
    meta = _html_meta(soup)
    title = meta.pop("_title", None)
    described = _described(soup)
    bios = _mark_bios(soup, described)
    _drop_noise(soup, described)
    text, links, blocks = _render(soup, bios)
    doc = Document(source=source, text=text, kind="html", title=title, links=links, meta=meta, blocks=blocks)
    if raw is not None:
        doc.content_hash = hashlib.sha256(raw).hexdigest()
    return doc


def _parse_html(html: str) -> BeautifulSoup:
    """Parse with lxml when available, else Python's html.parser."""
    try:
        return BeautifulSoup(html, "lxml")
    except Exception:  # lxml missing (bs4.FeatureNotFound) or choking on the input
        return BeautifulSoup(html, "html.parser")


def _html_meta(soup: BeautifulSoup) -> dict[str, Any]:
    """Title and author/date/description/site_name/headline from <meta>, OpenGraph and JSON-LD."""
    meta: dict[str, Any] = {}

    def first_meta(*names: str) -> str | None:
        for name in names:
            tag = soup.find("meta", attrs={"property": name}) or soup.find("meta", attrs={"name": name})
            if isinstance(tag, Tag) and (tag.get("content") or "").strip():
                return " ".join(str(tag["content"]).split())
        return None

    ld = _json_ld_article(soup)
    ld_authors = _ld_author_names(ld.get("author"))
    pairs = {
        "author": first_meta("author", "article:author", "citation_author", "dc.creator")
        or (", ".join(ld_authors) if ld_authors else None),
        "date": first_meta("article:published_time", "date", "citation_publication_date", "dc.date")
        or _ld_str(ld.get("datePublished")),
        "description": first_meta("description", "og:description"),
        "site_name": first_meta("og:site_name", "application-name"),
        "headline": _ld_str(ld.get("headline")),
        "url": first_meta("og:url") or _canonical(soup),
    }
    meta.update({k: v for k, v in pairs.items() if v})
    h1 = soup.find("h1")
    title_tag = soup.find("title")
    meta["_title"] = (
        first_meta("og:title")
        or (" ".join(title_tag.get_text().split()) if title_tag else None)
        or (" ".join(h1.get_text().split()) if h1 else None)
        or meta.get("headline")
    )
    return meta


def _canonical(soup: BeautifulSoup) -> str | None:
    """The page's <link rel="canonical"> URL, if absolute."""
    tag = soup.find("link", attrs={"rel": "canonical"})
    href = str(tag.get("href") or "").strip() if isinstance(tag, Tag) else ""
    return href if href.lower().startswith(("http://", "https://")) else None


def _json_ld_article(soup: BeautifulSoup) -> dict[str, Any]:
    """The first schema.org Article-like object in the page's JSON-LD scripts, or {}."""
    for script in soup.find_all("script", attrs={"type": "application/ld+json"}):
        try:
            data = json.loads(script.string or script.get_text() or "")
        except (ValueError, TypeError):
            continue
        for obj in _ld_objects(data):
            types = obj.get("@type")
            types = types if isinstance(types, list) else [types]
            if any(str(t).lower() in _ARTICLE_TYPES for t in types):
                return obj
    return {}


def _ld_objects(data: Any) -> list[dict[str, Any]]:
    """Flatten a JSON-LD payload (object, list, or @graph) into its objects."""
    if isinstance(data, list):
        return [o for item in data for o in _ld_objects(item)]
    if isinstance(data, dict):
        return [data] + (_ld_objects(data["@graph"]) if "@graph" in data else [])
    return []


def _ld_author_names(author: Any) -> list[str]:
    """Names from a JSON-LD author value (string, Person object, or list of them)."""
    if isinstance(author, list):
        return [n for a in author for n in _ld_author_names(a)]
    if isinstance(author, dict):
        name = _ld_str(author.get("name"))
        return [name] if name else []
    name = _ld_str(author)
    return [name] if name else []


def _ld_str(value: Any) -> str | None:
    """A JSON-LD scalar as a clean one-line string, or None."""
    if not isinstance(value, str):
        return None
    return " ".join(value.split()) or None


def _class_parts(tag: Tag) -> set[str]:
    """Lower-case words of a tag's class and id ("related-posts" -> {"related", "posts"})."""
    words = list(tag.get("class") or []) + [str(tag.get("id") or "")]
    return {p for w in words for p in re.split(r"[-_\s]+", str(w).lower()) if p}


def _class_string(tag: Tag) -> str:
    """A tag's class and id joined, lower-case."""
    return " ".join([*map(str, tag.get("class") or []), str(tag.get("id") or "")]).lower()


def _is_bio(tag: Tag, described: set[int] | None = None) -> bool:
    """True for author boxes: bio classes/ids, rel=author blocks, itemprop=author with a description.

    `described` (from _described) holds the ids of tags with an itemprop=description inside;
    without it the subtree is searched."""
    classes = _class_string(tag)
    if any(w in classes for w in _BIO_WORDS) or "bio" in _class_parts(tag):
        return True
    if "author" in (tag.get("rel") or []) and tag.name != "a":
        return True
    if tag.get("itemprop") == "author":
        if described is not None:
            return id(tag) in described
        return tag.find(attrs={"itemprop": "description"}) is not None
    return False


def _described(soup: BeautifulSoup) -> set[int]:
    """Ids of every tag holding an itemprop=description element: one climb per description,
    stopping at a tag already marked, so the whole tree is walked about once."""
    marked: set[int] = set()
    for desc in soup.find_all(attrs={"itemprop": "description"}):
        parent = desc.parent
        while parent is not None and id(parent) not in marked:
            marked.add(id(parent))
            parent = parent.parent
    return marked


def _tags_top_down(root: Tag):
    """Every tag under `root` in document order, iteratively; send True to skip a tag's subtree."""
    stack = [child for child in reversed(root.contents) if isinstance(child, Tag)]
    while stack:
        tag = stack.pop()
        skip = yield tag
        if not skip:
            stack.extend(child for child in reversed(tag.contents) if isinstance(child, Tag))


def _mark_bios(soup: BeautifulSoup, described: set[int] | None = None) -> list[Tag]:
    """Outermost author-box elements, in document order (one pass: no descent into a bio)."""
    return _outermost(soup, _described(soup) if described is None else described)


def _is_noise(tag: Tag, in_article: bool | None = None) -> bool:
    """True for elements that are page furniture rather than article text.

    `in_article`: whether an <article> or <main> encloses the tag (asked of the tree if None)."""
    if tag.name in _NEVER_DROP:
        return False
    if tag.name in _DROP_TAGS:
        return True
    if tag.name == "header":
        inside = tag.find_parent(["article", "main"]) is not None if in_article is None else in_article
        if not inside:
            return True
    classes = _class_string(tag)
    if any(w in classes for w in _NOISE_CLASSES):
        return True
    # a heading or paragraph is content even when its id/class says "related" ("#related-resources")
    return tag.name not in _CONTENT_TAGS and bool(_class_parts(tag) & _NOISE_WORDS)


def _drop_noise(soup: BeautifulSoup, described: set[int] | None = None) -> None:
    """Remove page furniture in place; author boxes inside it are lifted out and kept.

    One pass over the tree, top-down: a dropped element's subtree is searched once for
    author boxes and never visited again, so the cost is linear in the size of the page
    whatever its depth."""
    described = _described(soup) if described is None else described
    stack: list[tuple[Tag, bool]] = [(child, False) for child in reversed(soup.contents) if isinstance(child, Tag)]
    while stack:
        tag, in_article = stack.pop()
        if _is_noise(tag, in_article) and not _is_bio(tag, described):
            if tag.name in ("script", "style", "template", "noscript"):
                tag.decompose()
                continue
            lifted = _outermost(tag, described)
            for bio in lifted:
                tag.insert_before(bio.extract())
            tag.decompose()
            stack.extend((bio, in_article) for bio in reversed(lifted))  # cleaned like any kept element
            continue
        inside = in_article or tag.name in ("article", "main")
        stack.extend((child, inside) for child in reversed(tag.contents) if isinstance(child, Tag))


def _outermost(root: Tag, described: set[int]) -> list[Tag]:
    """The outermost author boxes under `root` (not `root` itself), in document order."""
    found: list[Tag] = []
    walk = _tags_top_down(root)
    tag = next(walk, None)
    while tag is not None:
        bio = _is_bio(tag, described)
        if bio:
            found.append(tag)
        try:
            tag = walk.send(bio)  # no descent into a bio
        except StopIteration:
            break
    return found


class _TextBuilder:
    """Accumulates rendered text; separators are written lazily so no line ends in spaces."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.pending_space = False
        self.pending_newlines = 0

    def newline(self, n: int = 1) -> None:
        if self.length:
            self.pending_newlines = max(self.pending_newlines, n)
        self.pending_space = False

    def space(self) -> None:
        if self.length and not self.pending_newlines:
            self.pending_space = True

    def write(self, s: str) -> None:
        if not s:
            return
        if self.pending_newlines:
            self._emit("\n" * self.pending_newlines)
        elif self.pending_space:
            self._emit(" ")
        self.pending_newlines, self.pending_space = 0, False
        self._emit(s)

    def _emit(self, s: str) -> None:
        self.parts.append(s)
        self.length += len(s)

    def text(self) -> str:
        return "".join(self.parts)


def _render(soup: BeautifulSoup, bios: list[Tag]) -> tuple[str, list[Link], dict[str, list[tuple[int, int]]]]:
    """Walk the cleaned tree (iteratively) and produce text, links and block spans."""
    out = _TextBuilder()
    open_spans: list[tuple[str, int, Tag]] = []
    raw_spans: list[tuple[str, int, int, Tag]] = []
    bio_ids = {id(b) for b in bios if not b.decomposed}
    root = soup.body or soup
    stack: list[tuple[Any, bool]] = [(root, True)]
    in_pre = sum(1 for parent in root.parents if parent.name == "pre") + (root.name == "pre")
    while stack:
        node, entering = stack.pop()
        if isinstance(node, NavigableString):
            if not isinstance(node, _SKIP_STRINGS):
                _write_string(out, str(node), in_pre=in_pre > 0)
            continue
        if not isinstance(node, Tag):
            continue
        if node is not root and node.name == "pre":
            in_pre += 1 if entering else -1
        if entering and _footnote_marker(node) is not None:
            out.write(f"[{_footnote_marker(node)}]")  # '<sup><a href="#fn3">3</a></sup>' -> '[3]': a note marker
            continue
        if entering and _back_link(node):
            continue  # the '↩' that leads from a note back to the text
        if entering:
            _open_tag(out, node)
            kinds = _span_kinds(node, bio_ids)
            open_spans.extend((k, out.length, node) for k in kinds)
            stack.append((node, False))
            stack.extend((child, True) for child in reversed(node.contents))
        else:
            while open_spans and open_spans[-1][2] is node:
                kind, start, _ = open_spans.pop()
                raw_spans.append((kind, start, out.length, node))
            _close_tag(out, node)
    text = out.text()
    return text, _links(text, raw_spans), _blocks(text, raw_spans)


_MARKER_TEXT_RE = re.compile(r"\[?(\d{1,3}(?:\s*[,\u2013\-]\s*\d{1,3})*)\]?")
_BACK_ARROWS = frozenset("↩↑^⤴︎ ")


def _footnote_marker(tag: Tag) -> str | None:
    """'3' for a superscript note marker (<sup>3</sup>, <sup><a href="#fn3">[3]</a></sup>), else None."""
    if tag.name != "sup":
        return None
    m = _MARKER_TEXT_RE.fullmatch(tag.get_text().strip())
    return m.group(1).replace(" ", "") if m else None


def _back_link(tag: Tag) -> bool:
    """A footnote's link back to its marker: an in-page anchor whose text is only an arrow."""
    if tag.name != "a" or not str(tag.get("href", "")).startswith("#"):
        return False
    text = tag.get_text()
    return bool(text.strip()) and all(ch in _BACK_ARROWS for ch in text.strip())


def _span_kinds(tag: Tag, bio_ids: set[int]) -> list[str]:
    """Which spans to record for a tag: "link", "list_items", "bio"."""
    kinds = []
    if tag.name == "a" and tag.get("href"):
        kinds.append("link")
    if tag.name == "li":
        kinds.append("list_items")
    if id(tag) in bio_ids:
        kinds.append("bio")
    return kinds


def _open_tag(out: _TextBuilder, tag: Tag) -> None:
    """Separators written when a tag starts (line breaks, bullets, cell spacing)."""
    if tag.name == "br":
        out.newline(1)
    elif tag.name == "li":
        out.newline(1)
        out.write("• ")
    elif tag.name in _PARAGRAPH_TAGS:
        out.newline(2)
    elif tag.name in _BLOCK_TAGS:
        out.newline(1)
    elif tag.name in ("td", "th"):
        out.space()


def _close_tag(out: _TextBuilder, tag: Tag) -> None:
    """Separators written when a tag ends."""
    if tag.name in _PARAGRAPH_TAGS:
        out.newline(2)
    elif tag.name in _BLOCK_TAGS:
        out.newline(1)
    elif tag.name in ("td", "th"):
        out.space()


def _write_string(out: _TextBuilder, s: str, in_pre: bool) -> None:
    """Write a text node, collapsing whitespace runs to single spaces outside <pre>."""
    s = clean_text(s)
    if in_pre:
        out.write(s)
        return
    if s[:1].isspace():
        out.space()
    words = _SPACE_RE.sub(" ", s).strip()
    if words:
        out.write(words)
        if s[-1:].isspace():
            out.space()


def _trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink a span to exclude surrounding whitespace (and a list bullet at its start)."""
    end = min(end, len(text))
    while start < end and text[start] in " \n\t":
        start += 1
    if text.startswith("• ", start) and start + 2 <= end:
        start += 2
    while end > start and text[end - 1] in " \n\t":
        end -= 1
    return start, end


def _links(text: str, raw_spans: list[tuple[str, int, int, Tag]]) -> list[Link]:
    """Links for every <a href>, with the span of the anchor text."""
    links = []
    for kind, start, end, tag in raw_spans:
        if kind == "link":
            s, e = _trim_span(text, start, end)
            links.append(Link(s, e, str(tag["href"]).strip(), text[s:e]))
    return sorted(links, key=lambda link: link.start)


def _blocks(text: str, raw_spans: list[tuple[str, int, int, Tag]]) -> dict[str, list[tuple[int, int]]]:
    """Spans of bios and list items, in text order."""
    blocks: dict[str, list[tuple[int, int]]] = {}
    for kind, start, end, _ in raw_spans:
        if kind != "link":
            s, e = _trim_span(text, start, end)
            if e > s:
                blocks.setdefault(kind, []).append((s, e))
    return {k: sorted(v) for k, v in blocks.items()}

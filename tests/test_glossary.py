"""The glossary (book/glossary.toml): well formed, obeyed by the Korean pages, what the built editions make of it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, NavigableString

from book_structure import BOOK, EDITIONS, built_page, chapters, docs_for, page_to_change, search_index, search_pages
from dlbook_build.sphinx.glossary import Finder, Term, load_glossary, ruled_out_uses
from dlbook_build.sphinx.korean_search import SearchKorean, glossary_compounds

TERMS = load_glossary()
GLOSSARY_PAGE = "glossary"
KOREAN_PAGES = chapters("ko")


# -- the file ---------------------------------------------------------------


def test_every_term_has_both_words_and_both_definitions():
    assert len(TERMS) >= 30
    for term in TERMS:
        assert re.search(r"[\uac00-\ud7a3]", term.ko_definition), term.ko
        assert re.search(r"니다(\([^)]*\))?\.$", term.ko_definition), f"{term.ko}: a definition is a 합니다체 sentence"
        assert term.en_definition.endswith("."), term.en


def test_the_book_asks_for_these_korean_words():
    """The choices issue 15 made: the term of each idea and the variants the book does not use."""
    chosen = {term.ko: set(term.ko_ruled_out) for term in TERMS}
    assert {"파라메터"} <= chosen["파라미터"]
    assert {"자료"} <= chosen["데이터"]
    assert {"레이어"} <= chosen["층"]
    assert {"모형"} <= chosen["모델"]
    assert {"바이어스"} <= chosen["편향"]
    assert {"오브젝트"} <= chosen["객체"]
    assert {"연습문제", "예제"} <= chosen["연습 문제"]
    assert {"에폭"} <= chosen["에포크"]
    # 기울기 stays a term of its own: the slope of a line, not a gradient
    assert next(t for t in TERMS if t.ko == "그래디언트").en == "gradient"
    assert next(t for t in TERMS if t.ko == "기울기").en == "slope"
    for term in ("학습률", "손실 함수", "경사 하강법", "옵티마이저", "텐서", "변수", "미분", "활성화 함수"):
        assert term in chosen, term


def test_the_definitions_use_the_book_terms():
    text = "\n".join(term.ko_definition for term in TERMS)
    assert ruled_out_uses(text, TERMS) == []


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "glossary.toml"
    path.write_text(text, encoding="utf-8")
    return path


ENTRY = """[[term]]
ko = "{ko}"
en = "{en}"
ko_definition = "정의입니다."
en_definition = "A definition."
ko_ruled_out = {ruled_out}
"""


def entry(ko: str = "층", en: str = "layer", ruled_out: str = '["레이어"]') -> str:
    return ENTRY.format(ko=ko, en=en, ruled_out=ruled_out)


def test_a_well_formed_file_loads(tmp_path):
    terms = load_glossary(write(tmp_path, entry() + entry("모델", "model", "[]")))
    assert terms == [
        Term("층", "layer", "정의입니다.", "A definition.", ("레이어",)),
        Term("모델", "model", "정의입니다.", "A definition.", ()),
    ]
    assert terms[0].anchor == "term-layer"


@pytest.mark.parametrize(
    ("text", "error", "message"),
    [
        ("title = 'x'\n", ValueError, r"expected \[\[term\]\] tables"),
        (entry().replace('en_definition = "A definition."\n', ""), ValueError, r"missing \['en_definition'\]"),
        (entry() + 'note = "x"\n', ValueError, r"unknown \['note'\]"),
        (entry().replace('ko_definition = "정의입니다."', "ko_definition = 3"), TypeError, "ko_definition must be"),
        (entry().replace('en = "layer"', 'en = " "'), TypeError, "en must be a non-empty string"),
        (entry(ruled_out='"레이어"'), TypeError, "ko_ruled_out must be a list"),
        (entry(ruled_out="[1]"), TypeError, "ko_ruled_out must be a list"),
        (entry() + entry(en="tier"), ValueError, "the ko '층' belongs to two terms"),
        (entry() + entry(ko="계층", en="Layer"), ValueError, "the en 'Layer' belongs to two terms"),
        (entry() + entry(ko="단", en="layer!"), ValueError, "the anchor 'term-layer' belongs to two terms"),
        (entry() + entry("레이어", "stage", "[]"), ValueError, "'레이어' is ruled out for '층' but is itself a term"),
    ],
)
def test_a_malformed_file_is_refused(tmp_path, text, error, message):
    with pytest.raises(error, match=message):
        load_glossary(write(tmp_path, text))


def test_the_glossary_knows_two_languages():
    with pytest.raises(ValueError, match="not in 'fr'"):
        TERMS[0].word("fr")
    with pytest.raises(ValueError, match="not in 'ja'"):
        Finder(["層"], "ja")


# -- finding words ----------------------------------------------------------


def found(text: str, words: list[str], language: str) -> list[tuple[str, str]]:
    return [(text[start:end], word) for start, end, word in Finder(words, language).uses(text)]


def test_a_korean_term_is_found_with_its_particle_but_not_inside_another_word():
    words = ["층", "학습률", "손실 함수", "경사 하강법", "확률적 경사 하강법", "ReLU"]
    text = "학습률을 바꾸고 Dense 층을 쌓습니다. 계층, 층위, 2층은 아닙니다. 손실함수와 ReLU를 씁니다."
    assert found(text, words, "ko") == [("학습률", "학습률"), ("층", "층"), ("손실함수", "손실 함수"), ("ReLU", "ReLU")]
    # the longest term wins where two start together
    assert found("확률적 경사 하강법과 경사 하강법", words, "ko") == [
        ("확률적 경사 하강법", "확률적 경사 하강법"),
        ("경사 하강법", "경사 하강법"),
    ]


def test_an_english_term_is_found_in_the_plural_and_with_a_hyphen():
    words = ["gradient", "gradient descent", "derivative", "full batch", "mini-batch", "tape", "convex"]
    text = (
        "Gradient descent follows gradients and derivatives, full-batch or in mini batches; GradientTape, non-convex."
    )
    assert found(text, words, "en") == [
        ("Gradient descent", "gradient descent"),
        ("gradients", "gradient"),
        ("derivatives", "derivative"),
        ("full-batch", "full batch"),
        ("mini batches", "mini-batch"),
    ]


def test_a_ruled_out_variant_is_a_whole_word():
    text = "자료형은 다른 단어입니다.\n자료를 읽고 레이어들을 쌓고, 플레이어는 괜찮습니다.\n모형입니다. 1000 에폭"
    assert ruled_out_uses(text, TERMS) == [
        ("자료", "데이터", 2),
        ("레이어", "층", 2),
        ("모형", "모델", 3),
        ("에폭", "에포크", 3),
    ]


@pytest.mark.parametrize("page", KOREAN_PAGES, ids=lambda p: p.stem)
def test_no_korean_page_uses_a_ruled_out_variant(page):
    """Prose, comments and the strings readers see in outputs and figures alike: the whole page."""
    uses = ruled_out_uses(page.read_text(encoding="utf-8"), TERMS)
    assert not uses, "\n".join(f"{page.name}:{line}: {variant} (the book says {term})" for variant, term, line in uses)


# -- the built editions -----------------------------------------------------


def soup_of(site: Path, edition: str, name: str) -> BeautifulSoup:
    return built_page(site / edition / f"{name}.html")


@pytest.mark.parametrize("edition", EDITIONS)
def test_the_glossary_page_lists_every_term_in_order(site, edition):
    other = next(e for e in EDITIONS if e != edition)
    entries = soup_of(site, edition, GLOSSARY_PAGE).select("dl.glossary > dt")
    by_anchor = {term.anchor: term for term in TERMS}
    assert sorted(dt["id"] for dt in entries) == sorted(by_anchor)
    shown = []
    for dt in entries:
        term = by_anchor[dt["id"]]
        text = dt.get_text()
        assert text.startswith(term.word(edition)), text
        assert term.word(other) in text, f"{text}: the other edition's word is missing"
        # (Sphinx's smart quotes curl the apostrophes)
        assert dt.find_next_sibling("dd").get_text().strip().replace("’", "'") == term.definition(edition)
        shown.append(term.word(edition))
    assert shown == sorted(shown, key=str.casefold)


#: HTML that is not text: code cells and their outputs, code, math, generated lists (contents, bibliography)
NOT_TEXT = "pre, code, .cell, .math, .toctree-wrapper, .citation"
#: ... nor prose: headings, admonition titles, captions, solutions, the framework tabs' labels
NOT_PROSE = (
    f"{NOT_TEXT}, h1, h2, h3, h4, h5, h6, .admonition-title, .rubric, figcaption, caption, .solution, .sd-tab-label"
)


def prose_strings(article) -> list[NavigableString]:
    excluded = {id(e) for e in article.select(NOT_PROSE)}
    strings = []
    for string in article.find_all(string=True):
        if any(id(parent) in excluded for parent in string.parents):
            continue
        link = string.find_parent("a")
        if link is not None and not link.get("href", "").startswith(f"{GLOSSARY_PAGE}.html#"):
            continue  # text of another link (a reference, a citation) is not linked again
        strings.append(string)
    return strings


@pytest.mark.parametrize("edition", EDITIONS)
@pytest.mark.parametrize("chapter", [p.stem for p in chapters(EDITIONS[0]) if p.stem != GLOSSARY_PAGE])
def test_a_chapter_links_the_first_use_of_each_term(site, edition, chapter):
    by_word = {term.word(edition): term for term in TERMS}
    finder = Finder(list(by_word), edition)
    article = soup_of(site, edition, chapter).select_one("article.bd-article")
    seen = set()
    for string in prose_strings(article):
        for _, _, word in finder.uses(str(string)):
            if word in seen:
                continue
            seen.add(word)
            link = string.find_parent("a")
            assert link is not None, f"{chapter}: the first {word!r} ({string.strip()[:60]!r}) is not linked"
            assert link["href"] == f"{GLOSSARY_PAGE}.html#{by_word[word].anchor}"
    links = article.select(f'a[href^="{GLOSSARY_PAGE}.html#"]')
    anchors = [a["href"].split("#")[1] for a in links]
    assert len(anchors) == len(set(anchors)) == len(seen), f"{chapter}: a term linked twice or out of prose"


def test_searching_an_english_term_in_the_korean_edition_finds_the_pages_of_its_korean_term(site):
    index = search_index(site, "ko")
    stem = SearchKorean({}).stem
    finder = Finder([term.ko for term in TERMS], "ko")
    english = {term.ko: term.en for term in TERMS}
    for page in KOREAN_PAGES:
        if page.stem == GLOSSARY_PAGE:
            continue
        article = page_to_change(site / "ko" / f"{page.stem}.html").select_one("article.bd-article")
        # (a cross-reference's text, a chapter's title, is written after the page is read)
        for element in article.select(f"{NOT_TEXT}, a.reference.internal"):
            element.decompose()
        used = {word for _, _, word in finder.uses(article.get_text(" "))}
        for word in used:
            for part in re.findall(r"\w+", english[word].lower()):
                assert page.stem in docs_for(index, stem(part).lower()), (
                    f"searching {part!r} in the Korean edition misses {page.stem}, which says {word}"
                )
    # a word the page never writes: logistic-regression says 고원, never "plateau"
    assert "plateau" not in (BOOK / "ko" / "logistic-regression.md").read_text(encoding="utf-8")
    assert "logistic-regression" in docs_for(index, stem("plateau"))


#: the glossary's Korean terms of more than one word (경사 하강법), which readers often type solid (경사하강법)
MULTI_WORD = [term.ko for term in TERMS if " " in term.ko]


def with_particle(word: str, after_consonant: str, after_vowel: str) -> str:
    """``word`` and the form of a particle its last syllable takes (손실함수 + 를, 경사하강법 + 을)."""
    final_consonant = (ord(word[-1]) - 0xAC00) % 28
    return word + (after_consonant if final_consonant else after_vowel)


def test_the_search_spreads_every_multi_word_term_of_the_glossary():
    assert len(MULTI_WORD) >= 10
    assert glossary_compounds() == {term.replace(" ", ""): tuple(term.split()) for term in MULTI_WORD}


@pytest.mark.parametrize("term", MULTI_WORD)
def test_a_multi_word_term_is_found_however_the_reader_spaces_it(site, term):
    """Spaced as the book writes it, solid as readers type it, solid with a particle: the same pages."""
    index = search_index(site, "ko")
    language = SearchKorean({})
    spaced = search_pages(index, term, language)
    assert GLOSSARY_PAGE in spaced, f"{term!r} does not even find the glossary page: {sorted(spaced)}"
    solid = term.replace(" ", "")
    for query in (solid, with_particle(solid, "을", "를"), with_particle(solid, "은", "는")):
        assert search_pages(index, query, language) == spaced, f"{query!r} and {term!r} find different pages"


def test_the_terms_readers_type_solid_find_the_chapters(site):
    """The three the issue measured: each finds chapters, not only the glossary, when typed solid."""
    index = search_index(site, "ko")
    language = SearchKorean({})
    for query in ("경사하강법을", "손실함수는", "활성화함수"):
        chapters_found = search_pages(index, query, language) - {GLOSSARY_PAGE}
        assert len(chapters_found) >= 2, f"{query!r} finds {sorted(chapters_found)}"

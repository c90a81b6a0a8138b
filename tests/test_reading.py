"""The book in its reader's language: the Korean interface, search that takes particles, short tracebacks.

The catalogue, the player's labels, the query splitter and the traceback
cleaning are tested directly; the built site (both editions, built as
``tox -e book`` builds them) for what a reader gets.
"""

from __future__ import annotations

import gettext
import json
import re
import shutil
import subprocess

import pytest
from bs4 import BeautifulSoup

from book_structure import EDITIONS, built_page, docs_for, search_index
from dlbook_build.execute import cached_notebook, clean_traceback, execute_chapter, store_notebook
from dlbook_build.project import DIRS, EDITIONS as EDITION_SETTINGS, ROOT
from dlbook_build.sphinx.animation_player import LABELS as PLAYER
from dlbook_build.sphinx.korean_search import PARTICLES, SearchKorean, query_terms, spread, strip_particle
from dlbook_build.sphinx.reading import EXEC_TABLE_HEADERS, catalogue_domains, compile_catalogues

#: English interface texts the issue found in the Korean edition, with where they come from
INTERFACE = {
    "sphinx": [
        "System Settings",
        "Light",
        "Dark",
        "Color mode",
        "Link to this heading",
        "Back to top",
        "Skip to main content",
        "On this page",
        "previous page",
        "next page",
        "Site navigation",
        "Toggle primary sidebar",
        "Toggle secondary sidebar",
        "Main",
        "Search...",
        "Search finished: ${resultCount} page(s) match the search query.",
        *EXEC_TABLE_HEADERS,
    ],
}
HANGUL = re.compile(r"[\uac00-\ud7a3]")
SITE = DIRS.site


# --- the catalogue ------------------------------------------------------------------------------


def test_the_korean_catalogue_translates_every_interface_text(tmp_path):
    assert catalogue_domains("ko") == sorted(INTERFACE)
    compile_catalogues("ko", tmp_path)
    for domain, messages in INTERFACE.items():
        catalogue = gettext.translation(domain, str(tmp_path), ["ko"])
        untranslated = [m for m in messages if not HANGUL.search(catalogue.gettext(m))]
        assert not untranslated, f"{domain}.po leaves these in English: {untranslated}"
    # the count keeps the placeholder searchtools.js fills in
    assert "${resultCount}" in catalogue.gettext(INTERFACE["sphinx"][-6])


def test_an_edition_without_catalogues_compiles_none(tmp_path):
    assert compile_catalogues("en", tmp_path) == []


def test_the_korean_edition_names_every_player_label():
    labels = EDITION_SETTINGS["ko"]["player_labels"]
    assert sorted(labels) == sorted(PLAYER)
    assert all(HANGUL.search(word) for word in labels.values())
    for language, edition in EDITION_SETTINGS.items():
        assert edition["byline"] and edition["copyright"], language


# --- the query ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query, terms",
    [
        ("학습률을", ["학습률"]),
        ("미분을", ["미분"]),
        ("미분", ["미분"]),
        # a glossary term typed solid is searched as the book spaces it
        ("손실함수는", ["손실", "함수"]),
        ("경사하강법을", ["경사", "하강법"]),
        ("확률적경사하강법으로", ["확률적", "경사", "하강법"]),
        ("경사 하강법으로", ["경사", "하강법"]),
        ("미분하는", ["미분"]),
        ("GradientTape로", ["GradientTape"]),
        ("tf.Variable을 만듭니다", ["tf", "Variable", "만듭니다"]),
        # a stem of one syllable is not cut: 평가 is a noun, not 평 + 가
        ("평가", ["평가"]),
        ("층이", ["층이"]),
    ],
)
def test_a_query_word_is_searched_by_its_stem(query, terms):
    assert query_terms(query) == terms


def test_the_index_spreads_a_glossary_term_written_solid():
    """A page that writes 손실함수를 is indexed as one that writes 손실 함수를: the query's rule, on the index side."""
    split = SearchKorean({}).split
    assert split("손실함수를") == split("손실 함수를") == ["손실", "함수를", "함수"]
    assert split("경사하강법") == ["경사", "하강법", "하강"]
    assert split("손실은") == ["손실은", "손실"]  # no term: the word and its prefixes, as before


def test_spread_splits_only_a_word_that_starts_with_a_term():
    compounds = {"확률적경사하강법": ("확률적", "경사", "하강법"), "경사하강법": ("경사", "하강법")}
    assert spread("확률적경사하강법으로", compounds) == ["확률적", "경사", "하강법으로"]
    assert spread("경사하강법", compounds) == ["경사", "하강법"]
    assert spread("하강법", compounds) == ["하강법"]
    assert spread("경사로", compounds) == ["경사로"]


def test_a_word_is_only_cut_before_a_known_particle():
    assert strip_particle("텐서플로") == "텐서플"  # 로 is a particle: a prefix of the word is still found
    assert strip_particle("데이터") == "데이터"
    assert strip_particle("ReLU") == "ReLU"
    assert all(len(p) <= 4 for p in PARTICLES)


def test_query_terms_reject_what_is_not_text():
    with pytest.raises(TypeError, match="query must be a str"):
        query_terms(None)
    with pytest.raises(TypeError, match="word must be a str"):
        strip_particle(3)


def test_the_search_page_splits_queries_as_python_does():
    """The splitter the search page runs (language_data.js) gives query_terms' terms."""
    node = shutil.which("node")
    assert node, "node is needed (it runs the browser tests too)"
    queries = [
        "학습률을",
        "미분을 계산합니다",
        "GradientTape로",
        "tf.Variable을 만듭니다",
        "평가",
        "경사 하강법에서는",
        "경사하강법을",
        "손실함수는",
        "확률적경사하강법",
        "평균제곱오차를 줄입니다",
    ]
    script = (
        SearchKorean({}).js_splitter_code + f"\nconsole.log(JSON.stringify({json.dumps(queries)}.map(splitQuery)));"
    )
    result = subprocess.run([node, "-e", script], capture_output=True, text=True, check=True)
    assert json.loads(result.stdout) == [query_terms(q) for q in queries]


# --- tracebacks ---------------------------------------------------------------------------------

RAISES = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---

# 오류

```{code-cell} ipython3
:tags: [raises-exception]
import numpy as np

np.linalg.inv(np.zeros((2, 2)))
```
"""


@pytest.mark.book  # starts a kernel
def test_an_error_output_is_stored_with_the_reader_s_frames_and_the_message(tmp_path):
    chapter = tmp_path / "raises.md"
    chapter.write_text(RAISES, encoding="utf-8")
    executed = execute_chapter(chapter)
    notebook, seconds = executed.notebook, executed.seconds
    raw = notebook.cells[-1].outputs[-1]["traceback"]
    assert any("site-packages" in entry for entry in raw)  # numpy's frames, as IPython wrote them
    store_notebook(chapter, notebook, seconds, tmp_path / "cache")
    stored = cached_notebook(chapter, tmp_path / "cache").cells[-1].outputs[-1]
    plain = [re.sub(r"\x1b\[[0-9;]*m", "", entry) for entry in stored["traceback"]]
    assert not any("site-packages" in entry or "File " in entry for entry in plain), plain
    assert plain[0].startswith("LinAlgError") and "Traceback (most recent call last)" in plain[0]
    assert plain[1].startswith("Cell In[") and "np.linalg.inv" in plain[1]
    assert plain[-1] == "LinAlgError: Singular matrix"
    assert stored["ename"] == "LinAlgError" and stored["evalue"] == "Singular matrix"


def test_a_path_into_an_installed_package_in_a_message_loses_its_folders():
    message = "\x1b[31mImportError\x1b[39m: cannot load /home/ci/.tox/py/lib/python3.11/site-packages/torch/_C.so"
    assert clean_traceback(["Cell In[3], line 1\n----> 1 import torch\n", message])[-1] == (
        "\x1b[31mImportError\x1b[39m: cannot load torch/_C.so"
    )
    assert clean_traceback([]) == []


def test_clean_traceback_rejects_what_is_not_a_traceback():
    with pytest.raises(TypeError, match="traceback must be a list of str"):
        clean_traceback("ValueError: x")
    with pytest.raises(TypeError, match="traceback must be a list of str"):
        clean_traceback([1])


# --- the built site -----------------------------------------------------------------------------


def interface_texts(html: str) -> list[str]:
    """What a page shows or says around its article: tooltips, accessible names, visible text outside <article>.

    Inside the article: the players' labels and tooltips, the tables' headers and
    the permalinks' tooltips (the rest of the article is the chapter's own text).
    """
    soup = BeautifulSoup(html, "html.parser")
    for hidden in soup.select("script, style, .onlyprint, [lang]:not(html)"):
        hidden.decompose()  # print-only copies and text marked as another language (the edition switch)
    texts = [value for tag in soup.find_all(True) for key in ("title", "aria-label", "placeholder")
             if isinstance(value := tag.get(key), str) and value]  # fmt: skip
    texts += [label.get_text() for label in soup.select("article th")]
    for article in soup.select("article"):
        article.decompose()
    texts += [text for text in soup.find_all(string=True) if type(text).__name__ == "NavigableString"]
    return [t.strip() for t in texts if t.strip()]


def test_korean_pages_show_no_english_interface_text(site):
    english = {*INTERFACE["sphinx"], *PLAYER, "Search", "By", "Copyright", "Table of contents"}
    found = {}
    for page in sorted((site / "ko").rglob("*.html")):
        if "_static" in page.parts:
            continue
        hits = sorted(
            {t for t in interface_texts(page.read_text(encoding="utf-8")) if t in english or t.startswith("으로 ")}
        )
        if hits:
            found[page.relative_to(site).as_posix()] = hits
    assert not found, found


def test_the_korean_footer_is_a_korean_sentence(site):
    soup = built_page(site / "ko" / "index.html")
    assert soup.select_one(".component-author").get_text(strip=True) == EDITION_SETTINGS["ko"]["byline"]
    from sphinx.config import eval_config_file

    year = eval_config_file(ROOT / "conf.py", tags=None)["book_year"]
    assert EDITION_SETTINGS["ko"]["copyright"].format(year=year) in soup.select_one(".copyright").get_text()


@pytest.mark.parametrize("edition", EDITIONS)
def test_tracebacks_in_pages_show_no_build_path(site, edition):
    tracebacks = []
    for page in (site / edition).glob("*.html"):
        soup = built_page(page)
        tracebacks += [(page.name, tb.get_text()) for tb in soup.select(".output.traceback, .output.error")]
    assert tracebacks, "the book has error demonstrations (cells tagged raises-exception)"
    leaking = [
        (name, text[:300]) for name, text in tracebacks if re.search(r"site-packages|/\.tox/|/work/|File /", text)
    ]
    assert not leaking, leaking
    # each shows the error after the reader's frame: "Name: message" at the start of a line
    ending = re.compile(r"^Cell In\[\d+\].*^\w*(?:Error|Exception)\w*: ", re.S | re.M)
    assert all(ending.search(text) for _, text in tracebacks), [t[:300] for _, t in tracebacks if not ending.search(t)]


@pytest.mark.parametrize("edition", EDITIONS)
def test_utility_pages_and_formulas_are_not_indexed(site, edition):
    index = search_index(site, edition)
    assert "execution" in index["docnames"]
    assert not any("execution" in docs_for(index, word) for word in ("gradient", "relu", "tape", "cach")), (
        "the execution-status page is a search result"
    )
    assert not {"frac", "mathbf", "mathrm"} & set(index["terms"]), "TeX source is indexed"


def test_korean_stems_find_every_page_their_inflected_forms_are_on(site):
    index = search_index(site, "ko")
    for word in ("학습률을", "미분을", "텐서를", "손실은"):
        stem = query_terms(word)[0]
        assert docs_for(index, word) <= docs_for(index, stem), word

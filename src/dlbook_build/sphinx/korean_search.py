"""Korean full-text search for the Korean edition.

Sphinx has no Korean search language and falls back to English, whose
splitter keeps a word and its attached particle together: 손실은, 손실을 and
손실함수를 are three unrelated terms, and a search for 손실 finds none of
them. This language indexes every Hangul word together with its prefixes of
two or more syllables (손실함수를 → 손실, 손실함, 손실함수, 손실함수를), so the
stem a reader types finds the word whatever particle or suffix is attached.
Latin words (code names) are split from a particle written onto them
(GradientTape와 → GradientTape) and stemmed as in English.

The query is the other half: a reader types words with their particles
(학습률을, 미분은), and 학습률을 is in the index only where the text has that very
form. So the query splitter (``js_splitter_code``, the same rule as
:func:`strip_particle`) drops one particle or verb ending from each Hangul word,
as long as a stem of ``MIN_PREFIX`` syllables is left: 학습률을 is searched as
학습률, whose prefix entry holds every page with 학습률 in any form. Dropping a
syllable that was part of the noun (정확도 → 정확) only widens the search.

Spacing: the book writes the glossary's multi-word terms with spaces
(경사 하강법, 손실 함수), as the glossary rules, and readers often type them
without (경사하강법, 손실함수를). One rule, :func:`spread`, serves the index and the
query alike: a Hangul word that starts with a multi-word glossary term written
solid is split at the term's spaces (손실함수를 → 손실, 함수를). The index is
built from the same words whichever way the page spaces the term, and the
query 경사하강법을 becomes the terms of 경사 하강법을. The terms come from
``book/glossary.toml`` when the language is made (a build reads the file once),
so a new glossary term needs no change here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence

from sphinx.application import Sphinx
from sphinx.search import SearchLanguage
from sphinx.search.en import SearchEnglish

_HANGUL_WORD = re.compile(r"^[\uac00-\ud7a3]+$")
# a run of Hangul or a run of other word characters: "tensors를" → "tensors", "를"
_SCRIPT_RUN = re.compile(r"[\uac00-\ud7a3]+|[^\W\uac00-\ud7a3]+")
MIN_PREFIX = 2  # syllables: most Korean nouns have two or more
#: particles and endings a query word may carry, dropped by :func:`strip_particle`
#: (the longest that fits is dropped)
PARTICLES = (
    # case and topic particles
    "이",
    "가",
    "을",
    "를",
    "은",
    "는",
    "의",
    "에",
    "로",
    "으로",
    "와",
    "과",
    "도",
    "만",
    "나",
    "이나",
    "랑",
    "이랑",
    "에서",
    "에게",
    "한테",
    "께서",
    "부터",
    "까지",
    "마다",
    "처럼",
    "보다",
    "만큼",
    "조차",
    "밖에",
    "에는",
    "에도",
    "에서는",
    "에서도",
    "에서부터",
    "으로는",
    "으로도",
    "으로부터",
    "로는",
    "로도",
    "로부터",
    "와는",
    "과는",
    "와도",
    "과도",
    "까지는",
    "부터는",
    "에게는",
    "이라는",
    "라는",
    "이란",
    "란",
    "이라고",
    "라고",
    # copula and the verb endings of 하다/되다 nouns (미분하는, 계산됩니다)
    "이다",
    "입니다",
    "이며",
    "이고",
    "하다",
    "합니다",
    "하는",
    "하고",
    "하면",
    "하여",
    "해서",
    "한다",
    "했다",
    "했습니다",
    "하기",
    "한",
    "할",
    "된다",
    "되는",
    "되고",
    "됩니다",
    "된",
    "될",
    "시키는",
)


class SearchKorean(SearchLanguage):
    lang = "ko"
    language_name = "Korean"
    # the query is matched against the prefixes, so Latin and Hangul words are
    # stemmed alike in the browser: English stemming for Latin, none for Hangul
    js_stemmer_rawcode = SearchEnglish.js_stemmer_rawcode
    js_stemmer_code = SearchEnglish.js_stemmer_code
    stopwords = SearchEnglish.stopwords
    # Sphinx ends language_data.js's stemmer code with
    # ``window.Stemmer = KoreanStemmer;`` (from language_name) and then adds this
    # splitter code. A function declaration is hoisted, so KoreanStemmer exists
    # by then; without it the script throws and search does nothing. It stems as
    # stem() below: Hangul words as they are, other words as in English.
    #
    # It also declares splitQuery, which searchtools.js calls on the query (a
    # declaration in this later script replaces searchtools' default): split
    # as split() does, spread a solid glossary term as spread() does, and drop
    # a particle as strip_particle() does. COMPOUNDS_JSON is filled in per build
    # (:func:`splitter_code`).
    js_splitter_template = r"""
function KoreanStemmer() {
  const english = new EnglishStemmer();
  this.stemWord = function (word) {
    return /^[\uac00-\ud7a3]+$/.test(word) ? word : english.stemWord(word);
  };
}
const KOREAN_COMPOUNDS = new Map(Object.entries(COMPOUNDS_JSON));
function spreadKoreanTerm(word) {
  for (const [solid, parts] of KOREAN_COMPOUNDS) {
    if (word.startsWith(solid)) return [...parts.slice(0, -1), parts[parts.length - 1] + word.slice(solid.length)];
  }
  return [word];
}
function splitQuery(query) {
  const terms = [];
  for (const token of query.split(/[^\p{L}\p{N}_]+/u)) {
    const runs = token.match(/[\uac00-\ud7a3]+|(?:(?![\uac00-\ud7a3])[\p{L}\p{N}_])+/gu) || [];
    runs.forEach(function (word, position) {
      if (!/^[\uac00-\ud7a3]+$/.test(word)) { terms.push(word); return; }
      // a particle written onto a code name (GradientTape와) is not a term
      if (position > 0 && /^(?:PARTICLES)$/.test(word)) return;
      for (const part of spreadKoreanTerm(word)) {
        const particle = part.match(/(?:PARTICLES)$/);
        terms.push(particle && part.length - particle[0].length >= MIN_PREFIX
          ? part.slice(0, -particle[0].length) : part);
      }
    });
  }
  return terms;
}
"""

    def __init__(self, options: dict) -> None:
        super().__init__(options)
        self._english = SearchEnglish(options)
        self._compounds = glossary_compounds()
        self.js_splitter_code = splitter_code(self.js_splitter_template, self._compounds)

    def split(self, input: str) -> list[str]:
        words = []
        for run in _SCRIPT_RUN.findall(input):
            for word in spread(run, self._compounds) if _HANGUL_WORD.match(run) else [run]:
                words.append(word)
                if _HANGUL_WORD.match(word):
                    words.extend(word[:end] for end in range(MIN_PREFIX, len(word)))
        return words

    def stem(self, word: str) -> str:
        return word if _HANGUL_WORD.match(word) else self._english.stem(word)


def glossary_compounds() -> dict[str, tuple[str, ...]]:
    """The glossary's multi-word Korean terms, written solid and mapped to their words (경사하강법 → 경사, 하강법).

    Longest first, so that 확률적경사하강법 is spread as a whole before 경사하강법 could match inside it.
    """
    # imported here: the glossary module imports this one's PARTICLES
    from dlbook_build.sphinx.glossary import load_glossary

    words = [tuple(term.ko.split()) for term in load_glossary()]
    return {"".join(parts): parts for parts in sorted(words, key=lambda p: -len("".join(p))) if len(parts) > 1}


def spread(word: str, compounds: Mapping[str, Sequence[str]]) -> list[str]:
    """``word`` split at the spaces of the first of ``compounds`` (solid form → words) it starts with.

    The last word keeps whatever followed the term (손실함수를 → 손실, 함수를); a word
    that starts with no term is left whole.
    """
    for solid, parts in compounds.items():
        if word.startswith(solid):
            return [*parts[:-1], parts[-1] + word[len(solid) :]]
    return [word]


def splitter_code(template: str, compounds: Mapping[str, Sequence[str]]) -> str:
    """The search page's query splitter: ``template`` with the particles, ``MIN_PREFIX`` and ``compounds`` in it."""
    return (
        template.replace("COMPOUNDS_JSON", json.dumps({k: list(v) for k, v in compounds.items()}, ensure_ascii=False))
        .replace("PARTICLES", "|".join(sorted(PARTICLES, key=len, reverse=True)))
        .replace("MIN_PREFIX", str(MIN_PREFIX))
    )


_PARTICLE = re.compile(f"(?:{'|'.join(sorted(PARTICLES, key=len, reverse=True))})$")


def strip_particle(word: str) -> str:
    """A query word's search stem: ``word`` less its longest particle or ending that leaves ``MIN_PREFIX`` syllables.

    Only Hangul words lose anything (학습률을 → 학습률, 미분 → 미분, GradientTape → GradientTape).
    """
    if not isinstance(word, str):
        raise TypeError(f"word must be a str, got {type(word).__name__}")
    found = _PARTICLE.search(word) if _HANGUL_WORD.match(word) else None
    if found and len(word) - len(found.group()) >= MIN_PREFIX:
        return word[: found.start()]
    return word


def query_terms(query: str, compounds: Mapping[str, Sequence[str]] | None = None) -> list[str]:
    """The terms a query is searched by, as the search page's splitQuery makes them (its Python twin).

    A Hangul word that starts with a multi-word term written solid is spread
    into its words (``compounds``, the glossary's by default), and each Hangul
    word loses its particle; a particle written onto a code name
    (GradientTape와) is dropped.
    """
    if not isinstance(query, str):
        raise TypeError(f"query must be a str, got {type(query).__name__}")
    if compounds is None:
        compounds = glossary_compounds()
    terms: list[str] = []
    for token in re.split(r"\W+", query):
        for position, word in enumerate(_SCRIPT_RUN.findall(token)):
            if position > 0 and word in PARTICLES:
                continue
            parts = spread(word, compounds) if _HANGUL_WORD.match(word) else [word]
            terms.extend(strip_particle(part) for part in parts)
    return terms


def setup(app: Sphinx) -> dict:
    app.add_search_language(SearchKorean)
    # the interface in the edition's language and clean result snippets come
    # with it (setting an extension up twice is harmless)
    app.setup_extension("dlbook_build.sphinx.reading")
    return {"parallel_read_safe": True, "parallel_write_safe": True}

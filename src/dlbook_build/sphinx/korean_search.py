"""Korean full-text search for the Korean edition.

Sphinx has no Korean search language and falls back to English, whose
splitter keeps a word and its attached particle together: 손실은, 손실을 and
손실함수를 are three unrelated terms, and a search for 손실 finds none of
them. This language indexes every Hangul word together with its prefixes of
two or more syllables (손실함수를 → 손실, 손실함, 손실함수, 손실함수를), so the
stem a reader types finds the word whatever particle or suffix is attached.
Latin words (code names) are split from a particle written onto them
(GradientTape와 → GradientTape) and stemmed as in English.
"""

from __future__ import annotations

import re

from sphinx.application import Sphinx
from sphinx.search import SearchLanguage
from sphinx.search.en import SearchEnglish

_HANGUL_WORD = re.compile(r"^[\uac00-\ud7a3]+$")
# a run of Hangul or a run of other word characters: "tensors를" → "tensors", "를"
_SCRIPT_RUN = re.compile(r"[\uac00-\ud7a3]+|[^\W\uac00-\ud7a3]+")
MIN_PREFIX = 2  # syllables: most Korean nouns have two or more


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
    js_splitter_code = r"""
function KoreanStemmer() {
  const english = new EnglishStemmer();
  this.stemWord = function (word) {
    return /^[\uac00-\ud7a3]+$/.test(word) ? word : english.stemWord(word);
  };
}
"""

    def __init__(self, options: dict) -> None:
        super().__init__(options)
        self._english = SearchEnglish(options)

    def split(self, input: str) -> list[str]:
        words = []
        for word in _SCRIPT_RUN.findall(input):
            words.append(word)
            if _HANGUL_WORD.match(word):
                words.extend(word[:end] for end in range(MIN_PREFIX, len(word)))
        return words

    def stem(self, word: str) -> str:
        return word if _HANGUL_WORD.match(word) else self._english.stem(word)


def setup(app: Sphinx) -> dict:
    app.add_search_language(SearchKorean)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

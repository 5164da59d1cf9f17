"""The analyzer, one promised behaviour per test."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.analysis.analyzer import Analyzer, normalize
from bot.analysis.variants import fold_spelling
from bot.config.settings import AnalysisSettings, load_settings

#: The bundled analysis settings, for property tests (which cannot take fixtures).
ANALYSIS = load_settings(Path(__file__).parent.parent / "config.yaml").analysis


@pytest.fixture(scope="module")
def analyzer(settings) -> Analyzer:
    return Analyzer(settings.analysis)


def same(analyzer: Analyzer, a: str, b: str) -> bool:
    return analyzer.terms(a) == analyzer.terms(b)


def test_unicode_quotes_and_dashes_are_normalised(analyzer):
    assert (
        normalize("Kim\u2019s \u201cletter\u201d \u2013 Jae\u2010in") == 'Kim\'s "letter" - Jae-in'
    )
    assert same(analyzer, "Kim\u2019s letter", "Kim's letter")
    assert same(analyzer, "ｆｕｌｌｗｉｄｔｈ", "fullwidth")  # NFKC


def test_acronym_us_is_not_the_stop_word_us(analyzer):
    assert analyzer.terms("US envoy") == ["US", "envoy"]
    assert analyzer.terms("tell us more") == ["tell"]
    assert analyzer.terms("U.S. envoy") == ["US", "envoy"]


def test_acronyms_in_shouted_headings_only_when_listed(analyzer):
    assert analyzer.terms("WINDOW OF OPPORTUNITY") == ["window", "opportun"]
    assert "US" in analyzer.terms("TALKS WITH THE US RESUME")


def test_long_listed_acronym_typed_in_lower_case(analyzer):
    assert analyzer.terms("dprk") == analyzer.terms("DPRK") == ["DPRK"]
    assert analyzer.terms("who") == []  # a stop word, even though WHO is an acronym


def test_un_acronym_does_not_match_jong_un(analyzer):
    assert "UN" not in analyzer.terms("Jong-un")
    assert "UN" in analyzer.terms("the UN Security Council")


def test_possessives(analyzer):
    assert analyzer.terms("Kim's") == ["kim"]
    assert analyzer.terms("Koreans'") == analyzer.terms("Koreans")
    assert analyzer.terms("it's") == []


@pytest.mark.parametrize(
    ("hyphenated", "spaced"),
    [("Jae-in", "Jae in"), ("Do-hoon", "Do hoon"), ("Jong-un", "Jong Un")],
)
def test_hyphenated_names_match_spaced_forms(analyzer, hyphenated, spaced):
    assert set(analyzer.terms(spaced)) <= set(analyzer.terms(hyphenated))
    assert analyzer.terms(spaced)  # not all stop words


def test_hyphenated_name_also_matches_joined_form(analyzer):
    assert set(analyzer.terms("Jongun")) <= set(analyzer.terms("Jong-un"))
    assert set(analyzer.terms("Jongun")) <= set(analyzer.terms("Jong-un's"))  # possessive too
    assert set(analyzer.terms("F16")) <= set(analyzer.terms("F-16"))
    assert analyzer.terms("2018-19") == ["2018", "19"]  # a range, not a number 201819


def test_a_joined_form_stands_in_for_its_parts_in_a_question(analyzer):
    """Counted as a word of its own, "Jong-un" would be three unknown words to a corpus that
    never names him, where "Jong Un" is two."""
    query = analyzer.query("Kim Jong-un's letter")
    assert [q.term for q in query if not q.alias_for] == ["kim", "jong", "un", "letter"]
    (joined,) = [q for q in query if q.term == "jongun"]
    assert joined.alias_for == ("jong", "un") and joined.credit < 1


def test_numbers_keep_their_separators(analyzer):
    """ "5,000" is one number: split at the comma it would match any "1,000" by its "000"."""
    assert analyzer.terms("5,000 zorbs") == analyzer.terms("5000 zorbs")
    assert "000" not in analyzer.terms("About 1,000 zorbs, 3.5 percent")
    assert "3.5" in analyzer.terms("growth of 3.5 percent.")
    assert analyzer.terms("in 2018.") == ["2018"]  # a full stop is no decimal point


@pytest.mark.parametrize(
    ("question", "word", "as_alone"),
    [
        ("what is the president's dog", "president", "what is the president dog"),
        ("the summit's final statement", "summit", "the summit final statement"),
        ("long-range missiles", "range", "range missiles"),
    ],
)
def test_a_query_term_weighs_the_word_typed_not_the_token(analyzer, question, word, as_alone):
    """A possessive or a hyphen must not turn a dictionary word into an unknown one: its
    weight in the no-answer rule is that word's, and spelling never "corrects" it."""
    typed = {q.word: q for q in analyzer.query(question)}
    alone = {q.word: q for q in analyzer.query(as_alone)}
    assert typed[word].specificity == alone[word].specificity
    assert typed[word].term == alone[word].term


@pytest.mark.parametrize(
    ("british", "american"),
    [
        ("denuclearise", "denuclearize"),
        ("denuclearisation", "denuclearization"),
        ("organised", "organized"),
        ("defence", "defense"),
        ("centre", "center"),
        ("adviser", "advisor"),
        ("programme", "program"),
        ("analyse", "analyze"),
    ],
)
def test_british_and_american_spellings_match(analyzer, british, american):
    assert analyzer.terms(british) == analyzer.terms(american)


def test_spelling_fold_leaves_wise_words_alone():
    assert fold_spelling("otherwise") == "otherwise"
    assert fold_spelling("rise") == "rise"  # too short for the -ise rule


def test_stop_words_and_punctuation_give_no_terms(analyzer):
    assert analyzer.terms("What is it that they would have done?") == []
    assert analyzer.terms("?!... -- ''") == []


def test_stemming_is_a_real_stemmer(analyzer):
    assert same(analyzer, "negotiations", "negotiating")
    assert same(analyzer, "summits", "summit")


def test_irregular_forms_are_lemmatised(analyzer):
    assert same(analyzer, "held", "hold")
    assert same(analyzer, "said", "says")
    assert same(analyzer, "met", "meet")


def test_features_can_be_switched_off():
    plain = Analyzer(
        AnalysisSettings(stemmer="none", stopwords=False, spelling_variants=False, lemmatize=False)
    )
    assert plain.terms("The defence negotiations") == ["the", "defence", "negotiations"]


def test_query_adds_aliases_weaker_than_typed_terms(analyzer):
    query = analyzer.query("What did the DPRK say?")
    typed = [q for q in query if not q.alias_for]
    aliases = [q for q in query if q.alias_for]
    assert [q.term for q in typed] == ["DPRK", "say"]
    assert {q.term for q in aliases} >= {"north", "korea", "pyongyang"}
    assert all(q.weight < 1.0 and q.alias_for == ("DPRK",) for q in aliases)


def test_multi_word_alias_triggers_on_the_phrase_only(analyzer):
    assert any(q.term == "DPRK" for q in analyzer.query("North Korea missiles"))
    assert not any(q.term == "DPRK" for q in analyzer.query("Korea north"))


def test_query_terms_are_unique_and_count_their_repeats(analyzer):
    query = analyzer.query("letter letter Letters LETTER summit")
    assert [(q.term, q.tf) for q in query] == [("letter", 4), ("summit", 1)]


def test_tokens_carry_spans(analyzer):
    text = "Kim's letter"
    tokens = analyzer.tokens(text)
    assert [(t.term, text[t.start : t.end]) for t in tokens] == [
        ("kim", "Kim's"),
        ("letter", "letter"),
    ]


def test_plural_acronyms_match_the_singular(analyzer):
    assert analyzer.terms("ICBMs") == analyzer.terms("ICBM") == ["ICBM"]
    assert analyzer.terms("Bus") == analyzer.terms("bus")  # a word, not a plural acronym


# --------------------------------------------------------------------------- corpus aliases


def test_corpus_aliases_are_read_with_their_reasons(tmp_path):
    from bot.analysis.aliases import corpus_aliases

    assert corpus_aliases(tmp_path) == ()
    (tmp_path / "aliases.yaml").write_text(
        "aliases:\n"
        "  - names: [Tibbleworth, Mayor of Quillsby]\n"
        "    why: Tibbleworth is the mayor in these invented articles.\n",
        encoding="utf-8",
    )
    assert corpus_aliases(tmp_path) == (("Tibbleworth", "Mayor of Quillsby"),)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("aliases:\n  - names: [Tibbleworth, Mayor]\n", "say 'why'"),
        ("aliases:\n  - names: [Tibbleworth]\n    why: alone\n", "at least two names"),
        ("aliases: [oops\n", "not valid YAML"),
        ("aliases: 3\n", "a list of groups"),
        ("a: &x [1, 1]\nb: &y [*x, *x]\naliases: [*y]\n", "not valid YAML"),  # alias bomb
        ("aliases: " + "[" * 5000 + "]" * 5000 + "\n", "not valid YAML"),  # nested deep
    ],
    ids=["no why", "one name", "syntax", "not a list", "aliases", "deep"],
)
def test_bad_corpus_aliases_are_one_clear_error(tmp_path, text, problem):
    from bot.analysis.aliases import corpus_aliases
    from bot.errors import ConfigError

    (tmp_path / "aliases.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=problem):
        corpus_aliases(tmp_path)


def test_corpus_aliases_apply_to_questions_and_the_file_is_not_an_article(write_corpus):
    from bot.answer.answerer import Answerer

    settings = write_corpus(
        {
            "a.md": "Tibbleworth opened the new kettle museum on Friday.\n",
            "b.md": "Filler about spoons.\n",
            "aliases.yaml": "aliases:\n  - names: [Tibbleworth, Mayor of Quillsby]\n"
            "    why: Tibbleworth is the mayor in these invented articles.\n",
        }
    )
    answerer = Answerer.from_settings(settings)
    assert {a.id for a in answerer.corpus.articles} == {"a", "b"}
    assert "tibbleworth" in [q.term for q in answerer.query("What did the Mayor of Quillsby open?")]
    assert "tibbleworth" not in [q.term for q in Answerer(settings, answerer.corpus).query("Mayor")]


def test_the_shipped_config_keeps_only_general_aliases(settings):
    """Who held which office in 2018 is a fact about the corpus, not a product default."""
    names = {name for group in settings.analysis.aliases for name in group}
    assert not names & {"Pompeo", "Bolton", "Secretary of State", "National Security Advisor"}


# The fast paths of indexing (ASCII shortcuts, the cached C-level pass) must give exactly the
# terms of the plain definitions they replace; these are those definitions, written out.
_PLAIN_TOKEN = re.compile(r"[^\W_]+(?:['-][^\W_]+|(?<=\d),\d{3}(?!\d)|(?<=\d)\.\d+)*'?")
_PLAIN_DOTTED = re.compile(r"\b(?:[A-Z]\.){2,}")


def _plain_terms(analyzer: Analyzer, text: str, shouting: bool | None = None) -> list[str]:
    """``text``'s terms by the plain definitions (capitals judged on ``text`` itself unless
    ``shouting`` says)."""
    text = _PLAIN_DOTTED.sub(
        lambda m: m.group().replace(".", "").ljust(len(m.group())), normalize(text)
    )
    if shouting is None:
        letters = sum(map(str.isalpha, text))
        shouting = letters >= 6 and sum(map(str.isupper, text)) / letters > 0.8
    fresh = Analyzer(analyzer.settings)
    return [t for word in _PLAIN_TOKEN.findall(text) for t in fresh._entry(word, shouting).split()]


@given(
    st.lists(
        st.one_of(
            st.sampled_from(["U.S.", "D.P.R.K.", "Kim's", "Jong-un", "ICBMs", "held", "SUMMIT"]),
            st.text(alphabet=st.characters(codec="utf-8"), max_size=12),
            st.text(alphabet="abcXYZ.'- 09_,", max_size=12),
            st.sampled_from(["5,000", "3.5", "1,2,3", "F-16", "2018-19", "Jong-un's"]),
        ),
        max_size=12,
    ).map(" ".join)
)
def test_fast_paths_give_the_plain_definitions_terms(text):
    analyzer = Analyzer(ANALYSIS)
    expected = _plain_terms(analyzer, text)
    assert analyzer.terms(text) == expected
    assert analyzer.terms(text) == expected  # again, from the cache
    assert [t.term for t in analyzer.tokens(text)] == expected


@given(
    st.lists(
        st.sampled_from(
            ["Kim's", "U.S.", "Jong-un", "TALKS", "HELD", "held", "ａ", "é", ". ", "-", "KCNA"]
        ),
        max_size=20,
    ).map(" ".join)
)
def test_span_terms_are_the_terms_of_each_span(text):
    """Each span's terms are its terms on its own, but for the capitals test, which
    ``span_terms`` makes once for the whole text (as the text was indexed), ASCII or not."""
    from bot.analysis import analyzer as module
    from bot.analysis.sentences import sentence_spans

    analyzer = Analyzer(ANALYSIS)
    spans = sentence_spans(text)
    got = analyzer.span_terms(text, spans)
    assert len(got) == len(spans)
    whole = module._is_shouting(normalize(text))
    for (a, b), terms in zip(spans, got, strict=True):
        assert terms == _plain_terms(analyzer, text[a:b], shouting=whole)


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("The eel left. Émile stayed.", ["The eel left.", "Émile stayed."]),
        ("Угорь ушёл. Она осталась.", ["Угорь ушёл.", "Она осталась."]),
        ("鰻は去った。彼女は残った。", ["鰻は去った。", "彼女は残った。"]),
        ("Mr. Quill met Dr. Eel. They talked.", ["Mr. Quill met Dr. Eel.", "They talked."]),
        ("Growth was 3.5 percent. Then eels.", ["Growth was 3.5 percent.", "Then eels."]),
    ],
)
def test_sentences_end_in_any_script(text, sentences):
    """Highlights and sentence focus work on sentences: a passage in French, Russian or
    Japanese must not be one long sentence."""
    from bot.analysis.sentences import sentence_spans

    assert [text[a:b] for a, b in sentence_spans(text)] == sentences

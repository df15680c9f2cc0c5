"""Sentence spans for chunking; the splitter lives in :mod:`search.text.sentences`."""

from search.text.sentences import sentence_spans, word_spans

__all__ = ["sentence_spans", "word_spans"]

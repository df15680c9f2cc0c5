"""Text utilities shared by the read and write paths: sentence splitting of extracted prose."""

from search.text.sentences import clean, sentence_spans, split_sentences, word_spans

__all__ = ["clean", "sentence_spans", "split_sentences", "word_spans"]

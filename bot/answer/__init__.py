"""The answer layer: rank passages, pick sentences, cite, decide "no answer"; filters,
context and timelines built on the same ranking."""

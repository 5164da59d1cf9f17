"""Analysis: text to index terms (analyzer), spelling correction and sentence spans."""

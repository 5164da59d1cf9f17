"""The index layer: BM25 engines behind one small interface, and their persisted store."""

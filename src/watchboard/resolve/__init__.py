"""Resolution: which source a document comes from, which documents are copies of each other."""

"""Document store backends behind one interface (:class:`search.store.protocol.ChunkStore`)."""

"""The indexer: announcement files → documents → a Whoosh index. The only writer."""

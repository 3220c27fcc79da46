"""Reference data the entity extractor reads: gazetteer, officials, organisations."""

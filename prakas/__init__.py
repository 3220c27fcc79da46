"""The ``prakas`` command: a thin shell over the indexer and the web app.

It sits above both packages (``indexer`` never imports ``webapp``), so this is the one
place where the writer's commands and the reader's commands meet.
"""

"""Full-text search in Swedish over the diarium, the tjänsteutlåtanden, their bilagor, the kallelser and the
protokoll, inside the secrecy rules.

One table of entries (``models.SearchEntry``), one per searchable text, kept up to date in the transaction of
every change (``indexing``); the query (``queries``) filters it in SQL by the same rules as every list, so a
result, snippet, count or facet never shows what the detail page would refuse; ``text`` holds the pure parts
(words, stems, the query's terms, snippets).

It sits on a floor of its own above the domains (``agenda``, ``workflows``, ``app.registry``), whose objects it
reads, and below ``tasks`` (the extraction of bilagor updates the index) and the pages and the API.
"""

"""Project commands for ``scrapy`` (``COMMANDS_MODULE = "beltacrawl.commands"``).

``crawl.py`` and ``archive.py`` each define one command named after the module
(``scrapy crawl`` with beltacrawl's checks, ``scrapy archive``); ``archive_output.py``
formats what ``scrapy archive`` prints and exports.
"""

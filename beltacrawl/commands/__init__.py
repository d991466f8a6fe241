"""Project commands for ``scrapy`` (``COMMANDS_MODULE = "beltacrawl.commands"``).

Each module defines one command named after the module, e.g. ``scrapy archive``.
"""

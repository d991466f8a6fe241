"""Parsers of a BelTA edition's pages, given its profile (:mod:`beltacrawl.site`).

``listing`` reads listing pages (entries, day groups, next page); ``article`` reads an
article page's raw values, one small attribute function per value; ``body`` turns the
body's markup into text blocks and clean HTML. They find values; the loader normalises.
"""

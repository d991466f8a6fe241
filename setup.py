"""Build shim: ``scrapyd-deploy`` builds the Scrapyd egg with ``setup.py bdist_egg``.

All metadata lives in pyproject.toml (including the ``scrapy`` entry point that tells
Scrapyd where the settings are); do not add any here.
"""

from setuptools import setup

setup()

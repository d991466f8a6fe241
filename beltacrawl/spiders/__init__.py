"""Spiders of beltacrawl."""

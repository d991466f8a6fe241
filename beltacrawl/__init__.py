"""beltacrawl: a polite, incremental Scrapy crawler for deu.belta.by."""

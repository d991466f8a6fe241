"""Regenerate docs/article.schema.json: ``python -m beltacrawl.schemas [PATH]``."""

from __future__ import annotations

import sys
from pathlib import Path

from beltacrawl.schemas import ARTICLE

DOCS_COPY = Path("docs/article.schema.json")


def main(argv: list[str]) -> None:
    target = Path(argv[0]) if argv else DOCS_COPY
    target.write_text(ARTICLE, encoding="utf-8")
    print(f"wrote {target}")


if __name__ == "__main__":
    main(sys.argv[1:])

"""`python -m scripts.pubsub [--check]`: write the generated pub/sub files, or check them."""

import sys

from scripts.pubsub.files import expected, stale
from scripts.pubsub.tables import read_tables
from scripts.stack.topology import ROOT


def main(argv: list[str]) -> int:
    tables = read_tables()
    out_of_date = stale(ROOT, tables)
    if argv == ["--check"]:
        for path in out_of_date:
            print(f"{path.relative_to(ROOT)} is out of date: run `make pubsub`")
        return 1 if out_of_date else 0
    if argv:
        print("usage: python -m scripts.pubsub [--check]", file=sys.stderr)
        return 2
    files = expected(ROOT, tables)
    for path in out_of_date:
        path.write_text(files[path])
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

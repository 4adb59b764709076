"""The ``screening`` command line (placeholder until the CLI issue lands)."""

from __future__ import annotations

import argparse
import sys


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="screening")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("demo")
    parser.parse_args(argv)
    print("screening demo: not yet implemented")
    return 0


if __name__ == "__main__":
    sys.exit(main())

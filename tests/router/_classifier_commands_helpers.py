"""The argument parser and runner the classifier command tests share (test_classifier_commands_*.py)."""

import argparse

from router.classifier_commands import register


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser()
    register(p.add_subparsers(dest="command", required=True))
    return p


def _run(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    return args.func(args)

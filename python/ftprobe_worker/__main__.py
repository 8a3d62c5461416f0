"""Entry point: `python -m ftprobe_worker`. stdout carries protocol lines only; logs go to stderr."""
import sys

from .protocol import serve

if __name__ == "__main__":
    sys.exit(serve(sys.stdin, sys.stdout))

"""python -m backspasm ...: the same as the `backspasm` command."""
import sys

from .cli import main

sys.exit(main())

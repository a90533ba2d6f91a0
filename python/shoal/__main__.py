"""`python -m shoal ...`: the shoal command line (see shoal/cli.py)."""
import sys

from .cli import main

sys.exit(main())

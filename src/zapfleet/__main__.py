"""`python -m zapfleet`: see zapfleet.cli."""
import sys

from zapfleet.cli import main

sys.exit(main())

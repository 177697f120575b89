"""``python -m contribfunnel`` runs the command line."""

import sys

from contribfunnel.cli import main

sys.exit(main())

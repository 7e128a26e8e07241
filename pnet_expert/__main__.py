"""``python -m pnet_expert`` runs the command line."""

import sys

from pnet_expert.cli import main

sys.exit(main())

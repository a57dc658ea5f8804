"""``python -m sim.data calibrate|backtest ...``: what ``./dev calibrate`` and ``backtest`` run."""

import sys

from sim.data.commands import main

sys.exit(main(sys.argv[1:]))

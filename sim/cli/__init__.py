"""The command line (``python run.py``): :mod:`sim.cli.main` is the entry point."""

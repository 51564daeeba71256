"""``python -m sim`` is the same as the ``ccsim`` command."""

from sim.cli import main

if __name__ == "__main__":
    main()

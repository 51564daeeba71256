"""ccsim: a discrete-event simulator of a telecom customer-service hotline.

Importing the package does no work: heavy modules (numba, plotly, pyarrow) are
imported inside the functions that need them, so ``ccsim --help`` answers at once.
"""

__version__ = "0.1.0"

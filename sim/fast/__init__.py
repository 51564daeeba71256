"""The compiled engine (``engine: fast``): the SimPy model's event loop in Numba.

Imported lazily (numba is heavy): ``sim.fast.engine`` decides what is supported and runs
a replication; ``sim.fast.loop`` holds the compiled event loop, ``sim.fast.rng`` the
keyed-stream kernels, as top-level functions so that Numba's on-disk cache hits.
"""

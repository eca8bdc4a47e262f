"""Experiments that combine packages: a hospital from the generator, run through the simulator
under a policy, a capacity plan or the control tower, measured with the KPIs.

- ``replications``: policies over several seeds (Dask distributed), paired per seed;
- ``capacity``: a capacity plan beside the current session plan, through the simulator;
- ``alerts``: the control tower's alerts judged on simulated days (precision, recall, lead time).

They sit above ``simulate`` and ``control`` so neither needs the generator nor each other.
"""

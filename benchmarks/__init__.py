"""OpenSSPR benchmarks: `python -m benchmarks` (or `make benchmark`).

Every benchmark measures a reference on the same machine in the same run and reports ratios
against it, so numbers from a laptop and from a CI runner can be compared. See README.md.
"""

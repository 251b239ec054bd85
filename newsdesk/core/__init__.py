"""The foundation: settings, the sources registry and the contracts between stages.

Nothing here imports any other part of the project; every other layer may import it.
"""

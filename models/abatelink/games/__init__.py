"""Cooperative games over countries: coalition values from the model, game solutions.

`coalitions` solves every coalition on one persistent model; `solutions` holds the Shapley
value, nucleolus, least core and core check; `allocation` carries a solution out (side
payments) or allocates by credit rules, and writes what `abatelink share` shows.
"""

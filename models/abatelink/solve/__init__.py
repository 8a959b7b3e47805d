"""Solving: the persistent HiGHS session and the one road from a solve to its prices.

`session.Session` sends a built model to HiGHS once and re-solves it warm; `priced.solve`
returns the solution with the prices that belong to it (the LP's duals, or for a MILP those of
the LP with the build fixed); `diagnose` names the least relaxations of an infeasible scenario.
"""

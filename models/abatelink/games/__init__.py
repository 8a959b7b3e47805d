"""Cooperative games over countries: coalition values from the model, game solutions.

`coalitions` solves coalitions on one persistent model (`ModelValues`: a coalition's openings
sent to HiGHS as arrays, costs read from the column values by `member_costs`); `solutions`
holds the Shapley value, nucleolus, least core and core check over all 2^n coalitions;
`sampling` (the Shapley value from sampled orders, to a standard error) and `generation`
(least core and nucleolus by constraint generation, with `membership`'s MILP as exact oracle
for linked-market games) solve games too large to enumerate; `synthetic` makes games to test
them on; `allocation` carries a solution out (side payments) or allocates by credit rules,
and writes what `abatelink share` shows.
"""

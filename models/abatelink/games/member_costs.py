"""Each region's resource cost read straight from HiGHS's column values, for coalition values.

`results.costs.resource_costs` is the definition; for a solve in which no joint project costs
anything (its project and PM lines are then 0) it is linear in the column values:

    c_r = Σ_t w_t·( Σ_{k: pool of k in r} c_k·a[k,t]          abatement (MAC steps)
                  + Σ_{links m→n, n in r} τ[m,n,t]·x[m,n,t]   transaction costs the buyer bears
                  + Σ_{offers bought by r} P[o,t]·o[o,t] )     international offsets at their price

with w_t the period weight (`ModelIndex.weight`). `MemberCosts` holds these weights as one
matrix (regions × HiGHS columns), so c = W·col_value; a solve with a project cost goes back to
the definition. tests/test_coalition_speed.py checks both agree on every coalition.
"""

from __future__ import annotations

import numpy as np

from abatelink.solve.session import Session, Solution


class MemberCosts:
    """c_r of every region as W·col_value (module docstring), W built once per session.

    Transaction costs and offer prices are read from the model's parameters when built: they
    must not change while it is used (a coalition changes neither).
    """

    def __init__(self, session: Session) -> None:
        model, m = session.model, session.model.pyomo
        idx = model.index
        self.regions = idx.regions
        row = {r: i for i, r in enumerate(idx.regions)}
        weights = np.zeros((len(idx.regions), session.highs.getNumCol()))
        steps, pools = idx.steps, idx.pools
        pool = steps["pool"].to_numpy()
        region = pools["region"].map(row).to_numpy()[pool]
        weight = idx.weights(steps["period"].to_numpy())
        spent = steps["cost_usd_per_t"].to_numpy(dtype=float) * weight
        np.add.at(weights, (region, session.step_columns), spent)
        market_region = idx.region_of_market
        for var, price, market_at in (
            (m.trade_mt, m.transaction_cost_usd_per_t, 1),
            (m.offer_mt, m.offer_price_usd_per_t, 2),
        ):
            keys, columns = session.columns(var)
            for key, column in zip(keys, columns, strict=True):
                buyer = row[market_region[key[market_at]]]
                weights[buyer, column] += price[key].value * idx.weight(key[-1])
        self.weights = weights
        self.project_columns = session.columns(m.project_cost_musd)[1]

    def __call__(self, solution: Solution) -> np.ndarray | None:
        """c_r by region (US$ million, present value), or None when a project costs something
        (`results.costs.resource_costs` then has project and PM lines)."""
        project = solution.col_value[self.project_columns]
        if len(project) and np.abs(project).max() > 0:
            return None
        return self.weights @ solution.col_value

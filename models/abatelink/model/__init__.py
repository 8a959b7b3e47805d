"""The model: index sets, one component per concern, the build, and the levers.

`components/` holds the rows and columns (each constraint's docstring gives its equation);
`build` declares the whole LP/MILP once; `levers.set_inputs` writes a scenario's values into
its mutable parameters in place; `credit_rules` turns a rule into a project's credit shares.
"""

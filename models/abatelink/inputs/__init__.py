"""Inputs: data sets, scenario files and study files, read and validated.

`schema` declares every table and column (unit, bounds, whether a scenario may vary it, what it
feeds); `csvfile` and `yamlfile` read; `dataset` checks across tables; `scenario` applies
overrides and gives the `Inputs` a model is fed; `study` designs many scenarios; `plants`
writes a synthetic plant-level data set. Nothing here knows the model.
"""

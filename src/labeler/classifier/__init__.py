"""The offline classifier: TF-IDF features + one-vs-rest logistic regression, calibrated per label.

Modules: `features` (text -> vectors), `calibrate` (scores -> estimated precision, pure),
`train` (fit + save a model directory), `predict` (load it: `load(model_dir) -> Predictor`),
`evaluate` (metrics on a labelled JSONL file). scikit-learn comes from the optional extra
`labeler[local]` and is imported only inside functions.
"""

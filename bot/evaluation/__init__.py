"""PR model evaluation: an lm-evaluation-harness-exact evaluator and the base/head comparison.

See ``../shared/design/EVAL.md``. Importing this package loads nothing heavy; torch and transformers are
imported only by ``bot.evaluation.model``.
"""

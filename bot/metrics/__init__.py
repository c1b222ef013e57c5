"""Community-health metrics, computed on read from the domain tables and the contribution ledger.

Definitions: ``../shared/design/METRICS.md``; one versioned ``MetricSpec`` per metric in ``spec.py``.
"""

"""Pull-request and install automation (issue 6, part 1): the "Steward config" check run, the App's permission
check, welcomes for first-time contributors, path and size labels, and the DCO check run.

``bot/handlers/automation.py`` decides from the payload and the contribution ledger which jobs a delivery asks
for; the modules here are those jobs. Each acts only on the configuration of the *base* (a pull request's base
commit, or the default branch's head for issues and discussions); the head's ``.github/steward.yml`` is only
ever parsed, by the config check.
"""

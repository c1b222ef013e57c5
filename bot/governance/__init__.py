"""Governance commands and guards (issue 6): permissions from GitHub, /assign, /lgtm, OWNERS /approve, /hold,
/spam, commands in discussions and the newcomer guard. Importing this package registers nothing; the command
actions live in modules listed in ``bot.command_jobs.ACTION_MODULES``."""

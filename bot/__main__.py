"""``python -m bot`` is the ``steward`` command."""

from bot.cli import main

if __name__ == "__main__":
    main()

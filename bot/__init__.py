"""Tandem's core: configuration, the domain, and the services that enforce its rules.

Nothing in this package imports a chat SDK or ``handlers``: Slack, Teams, the shell and the
command line live in ``handlers/`` and reach the core through its services, the
``Notifier`` port and ``Core.events`` (the import contracts in ``pyproject.toml`` say so).
"""

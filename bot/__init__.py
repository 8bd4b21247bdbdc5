"""Tandem's core: configuration, the domain, services and the command line.

Nothing in this package imports a chat SDK; Slack, Teams and the shell live in
``handlers/`` and reach the core through ``bot.request_service`` and the ``Notifier`` port.
"""

"""Test doubles for the chat platforms, shared by the tests and the benchmark.

``testing.slack`` is a fake Slack Web API on port 0, ``testing.teams`` a fake Bot Connector
with a test key set for signed Teams activities, ``testing.notifier`` notifiers that record
what the core asked for. They stand in for a platform, never for the code under test;
nothing in ``bot``, ``handlers`` or ``storage`` imports them.
"""

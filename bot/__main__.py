"""``python -m bot``: the ``tandem`` command line, kept under its old name (the one import of
an edge from the core, allowed by name in the import contracts)."""

from handlers.cli import main

raise SystemExit(main())

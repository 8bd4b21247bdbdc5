"""Microsoft Teams: Tandem on the Microsoft 365 Agents SDK (``pip install 'tandem[teams]'``)."""

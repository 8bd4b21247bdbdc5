"""The shell's names, each given once: its name as a platform, and the people it plays."""

# The shell's name as a platform: its cards are kept under it (``storage.cards``).
PLATFORM = "shell"

# Who the shell can play when no one is named: one of each role.
PERSONAS = {
    "it": "U0SHELLIT",
    "buyer": "U0SHELLBUY",
    "admin": "U0SHELLADM",
}

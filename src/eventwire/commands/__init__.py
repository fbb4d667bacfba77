"""Command-line sub-commands. Each module defines ``register(app)``; :mod:`eventwire.cli` calls it."""

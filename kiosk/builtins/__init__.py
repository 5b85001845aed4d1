"""Default plugins: the built-ins go through the same hooks as third-party plugins."""

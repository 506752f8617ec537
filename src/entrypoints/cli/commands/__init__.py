"""Command groups of the `ivr` command line, one module per context."""

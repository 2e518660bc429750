"""The command line: parsing, rendering and exit codes. Nothing imports this package."""

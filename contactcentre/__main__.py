"""`python -m contactcentre` is the `contactcentre` command."""

from contactcentre.cli import main

main()

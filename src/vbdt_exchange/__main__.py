"""``python -m vbdt_exchange`` runs the ``vbdt`` command line."""

from vbdt_exchange.cli import main

if __name__ == "__main__":
    main()

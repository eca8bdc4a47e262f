"""``python -m kontrolltarn``: the same command line as the ``kontrolltarn`` script."""

from kontrolltarn.cli.main import main

if __name__ == "__main__":
    main()

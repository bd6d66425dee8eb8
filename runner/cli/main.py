"""`python -m runner.cli.main`: the `rpa` command without the installed script."""

from runner.cli import main

if __name__ == "__main__":
    main()

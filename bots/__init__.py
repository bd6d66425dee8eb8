"""The municipality's bots, one package each, found through the `rpa.bots` entry points."""

"""Sources: the only code that touches git, the network or the clock."""

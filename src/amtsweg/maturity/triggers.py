"""Signal wiring for the incremental recompute (filled in by `compute`)."""


def connect() -> None:
    """Connect the model signals of the fact-holding apps to the incremental recompute."""

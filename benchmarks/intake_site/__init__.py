"""Django site of the intake benchmark: the platform's settings and URLs plus two benchmark endpoints."""

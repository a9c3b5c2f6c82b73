"""Amtsweg: the OZG platform for Kommunen."""

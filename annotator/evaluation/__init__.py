"""Scoring suggestions and annotations against gold data."""

"""Thin Prefect task wrappers around the pure stage functions in tasks/."""

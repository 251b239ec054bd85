"""Copies and stories: near-duplicate text (MinHash + LSH) and same-event links across sources."""

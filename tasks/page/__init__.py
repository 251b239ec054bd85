"""What clean and extract both read from a page: its context, JSON-LD, meta tags, dates."""

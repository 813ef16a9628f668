"""Monitor: configuration, fetching, the crawl pipeline, scheduling and the command line."""

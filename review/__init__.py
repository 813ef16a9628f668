"""Reviewing in Datasette: the server `claimwatch serve` runs, its plugin, and the reviewer accounts."""

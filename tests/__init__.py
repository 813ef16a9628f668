"""The claimwatch test suite: real model, real SQLite files, real servers on 127.0.0.1."""

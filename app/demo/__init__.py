"""The demo municipality that `make run` loads into an empty database."""

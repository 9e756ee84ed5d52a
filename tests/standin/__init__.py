"""A stand-in for the official hosts (tests and benchmarks): see tests/standin/server.py and content/."""

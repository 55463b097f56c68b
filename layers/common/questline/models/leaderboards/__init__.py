"""Leaderboard models: the boards of the catalog bundle (catalog) and the request and response
models of the leaderboard API (api)."""

"""Leaderboards in the pure domain: board specs and their periods (specs), the scores the
decide step keeps in a user's state (scores), and the packed integer whose order is the board's
order (order)."""

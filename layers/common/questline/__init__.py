"""Questline: a serverless gamification engine (the common layer)."""

"""Leaderboard use cases: reading boards (reads, members, and the views they share), closing
periods with their prizes (close), moderation, and the maintenance that rebuilds and reconciles
Redis from DynamoDB. Mirroring committed scores to Redis is storage.leaderboards.mirror, which
the write path calls after every commit."""

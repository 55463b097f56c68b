"""Leaderboard storage: score items and their key scheme (items), the DynamoDB board index
(dynamo), closing snapshots and exclusions (archive), the Redis board cache (redis) with its Lua
scripts (scripts), and the mirror of committed scores into it (mirror)."""

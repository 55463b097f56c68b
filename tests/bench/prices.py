"""us-east-1 list prices, in USD, used to turn counted requests into a cost per million events.

Checked against public pricing pages and summaries in November 2026; update them here when AWS
changes its prices. Free tiers are ignored: at a million events they are noise, at scale gone.
"""

# DynamoDB on-demand, Standard table class (halved in November 2024 to these figures).
DYNAMODB_PER_MILLION_WRITE_UNITS = 0.625
DYNAMODB_PER_MILLION_READ_UNITS = 0.125

# EventBridge: custom events put on a bus; each 64 KB chunk of an entry counts as one event.
EVENTBRIDGE_PER_MILLION_ENTRIES = 1.00
EVENTBRIDGE_CHUNK_BYTES = 64 * 1024

# SQS standard queue: each 64 KB chunk of a request's payload is billed as one request.
SQS_PER_MILLION_REQUESTS = 0.40
SQS_CHUNK_BYTES = 64 * 1024

# Lambda on arm64 (first duration tier). Requests are counted here; duration is not, see cost.py.
LAMBDA_PER_MILLION_REQUESTS = 0.20
LAMBDA_ARM_PER_GB_SECOND = 0.0000133334

# Which figures were found on current public pages when written here, and which are assumed.
SOURCES = {
    "DynamoDB": "verified: $0.625 / M WRU, $0.125 / M RRU (us-east-1 on-demand)",
    "EventBridge": "verified: $1.00 / M custom events, 64 KB chunks",
    "SQS": "assumed list price: $0.40 / M requests (standard), 64 KB chunks",
    "Lambda": "assumed list price: $0.20 / M requests, $0.0000133334 / GB-s (arm64)",
}

"""Gateway use cases, one module per area. Each owns its transaction: domain rows and outbox rows
commit together."""

"""giftflow's shared plumbing: settings, database, event contracts, outbox, inbox, Dapr helpers,
logging, metrics and health. Plumbing and contracts only, never business rules."""

"""The pub/sub configuration, generated from the Python event tables: every consumer's Dapr
subscriptions (dapr/subscriptions/ and their k8s/dapr/ copies), the KafkaTopics (k8s/kafka/topics.yaml),
the topics docker-compose.yml creates and the README's event catalogue.

    make pubsub                         # write them
    python -m scripts.pubsub --check    # only say which are out of date (exit 1)

A new topic is one line in `shared.events.PUBLISHERS`, plus its contracts; a consumer subscribes to
a topic by handling one of its events (its `HANDLERS`). tests/unit/test_pubsub.py fails until the
committed files are what this writes.
"""

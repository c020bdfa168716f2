"""Mail: one more channel of what the notification service tells members, and the mails accounts need.

* `kinds`: which notifications may go by mail and each member's choice per kind (pure rules).
* `tables`: addresses, time zones, choices and the mail outbox, in the service's schema.
* `channel`: turns an event's notification (already addressed by the surprise rules) into outbox rows.
* `render`: subject, plain text and HTML from Jinja2 templates, in the household's time zone.
* `links`: the signed one-click unsubscribe link (RFC 8058) and the app's own links.
* `sender`: the worker that sends each outbox row once, with backoff, recording what failed for good.
* `routes`: my mail choices, my failed mails, and the unsubscribe endpoint a mail client posts to.

A mail is written to the outbox in the same transaction as the event's inbox row (decided exactly
once), and sent by the worker afterwards: a crash in between loses nothing, and a redelivered event adds
nothing.
"""

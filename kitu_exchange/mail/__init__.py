"""E-mail: the outbox (written in the event's transaction), the sender (`flask mail
send`), digests, preferences and one-click unsubscribe."""

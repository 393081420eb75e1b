"""Email: messages built from templates/mail, written to a durable outbox in the transaction of
the change that causes them, and sent after commit by the outbox sender through a transport
(a Maildir beside the SQLite file, or SMTP)."""

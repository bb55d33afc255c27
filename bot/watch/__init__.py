"""The watch: watched conversations are stored as history messages as they arrive, labelled in
micro-batches, judged when they go quiet (or at once on a strongly negative customer message),
raise negative-share alerts, and are forgotten after the retention period."""

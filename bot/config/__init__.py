"""The config layer: one validated ``Settings`` from ``config.yaml``, where that file is found,
plain-words errors, and ``init`` for a starter config."""
